"""The plan catalog: resolve names to codes (names), parse plan tables (plan_table) and
import them into the catalog folder (importer)."""
