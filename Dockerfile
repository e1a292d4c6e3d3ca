# syntax=docker/dockerfile:1
# hrss-warehouse runtime image: the official Airflow image plus this project.
#
# The base tag must match the apache-airflow pin in constraints.txt; a mismatch
# would make pip up/downgrade Airflow underneath the image's own providers.
# tests/unit/deploy/test_dockerfile.py enforces the match.
FROM apache/airflow:3.3.2-python3.11

ENV HRSS_HOME=/opt/hrss \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/hrss/dags \
    DBT_PROFILES_DIR=/opt/hrss/dbt_project

# /opt is root-owned in the base image; hand the project root to the airflow
# user (group 0, as the official image expects for arbitrary-UID support).
USER root
# The report draws and embeds Chinese with Noto Sans CJK (hrss_warehouse/report/font.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /opt/hrss \
 && chown airflow:0 /opt/hrss \
 && chmod 2775 /opt/hrss

USER airflow
WORKDIR /opt/hrss

COPY --chown=airflow:0 . /opt/hrss

# Install as the airflow user (the image sets PIP_USER, so this lands in
# ~/.local next to Airflow itself). Naming apache-airflow==$AIRFLOW_VERSION
# explicitly is the official image's guard against pip replacing Airflow;
# constraints.txt pins everything else to what CI tested.
RUN pip install --no-cache-dir -c /opt/hrss/constraints.txt \
        "apache-airflow==${AIRFLOW_VERSION}" -e /opt/hrss

# Pre-create the compose volume mount points owned by airflow:0. Docker copies
# a mount point's ownership into a fresh named volume, so the services can run
# as the unprivileged airflow user without a root chown step.
RUN mkdir -p /opt/hrss/data/landing \
             /opt/hrss/warehouse \
             /opt/hrss/archive \
             /opt/hrss/reports \
 && chmod 2775 /opt/hrss/data/landing /opt/hrss/warehouse /opt/hrss/archive /opt/hrss/reports
