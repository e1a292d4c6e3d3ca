"""Alert logic without Airflow: transitions, routing, redaction, signatures, texts (with
delivered text shown as text, never as markup), and the senders and the failure
notifier against local receivers."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hrss_warehouse.alerts.channels import (
    ChannelError,
    dingtalk_signature,
    feishu_signature,
    parse_channels,
    redact,
    send,
)
from hrss_warehouse.alerts.detect import quarantined_files, trajectory_events
from hrss_warehouse.alerts.messages import describe, digest, plain
from tests.unit.report.progress_rows import BASE, ROWS

pytestmark = pytest.mark.unit

# 技能人才总量 at the end of 2024 against 专栏2 21.3 → 26 (003 L108; 004 L89).
SKILLED = BASE


def test_a_status_alerts_once_per_transition_and_recovers():
    subject = "zs_hrss_14fyp|skilled_talent|330900"
    (first,) = trajectory_events([SKILLED], {})
    assert (first["event_kind"], first["previous_status"], first["event_key"]) == (
        "trajectory",
        None,
        f"trajectory|{subject}|needs_acceleration",
    )
    # Same status next night: nothing.
    state = {subject: {"status": "needs_acceleration", "last_alerted_status": "needs_acceleration"}}
    assert trajectory_events([SKILLED], state) == []
    # Worse: a new transition.
    (worse,) = trajectory_events([{**SKILLED, "status": "lagging", "severity": "medium"}], state)
    assert (worse["event_kind"], worse["previous_status"]) == ("trajectory", "needs_acceleration")
    # Back on track: a recovery (no severity), only because it had been alerted.
    (back,) = trajectory_events([{**SKILLED, "status": "on_track", "severity": None}], state)
    assert (back["event_kind"], back["severity"]) == ("recovery", None)
    quiet = {subject: {"status": "too_early", "last_alerted_status": None}}
    assert trajectory_events([{**SKILLED, "status": "on_track", "severity": None}], quiet) == []


def test_binding_non_good_statuses_alert_and_printed_history_does_not():
    worsening = {**SKILLED, "status": "worsening", "severity": "high"}  # a 约束性 indicator
    assert [e["severity"] for e in trajectory_events([worsening], {})] == ["high"]
    printed = {**SKILLED, "status": "not_achieved", "evidence_source": "plan_document"}
    assert trajectory_events([printed], {}) == []


def test_achieved_early_is_good_and_a_broken_floor_alerts():
    early = {**SKILLED, "status": "achieved_early", "severity": None}
    assert trajectory_events([early], {}) == []
    subject = "zs_hrss_14fyp|skilled_talent|330900"
    alerted = {
        subject: {"status": "needs_acceleration", "last_alerted_status": "needs_acceleration"}
    }
    assert [e["event_kind"] for e in trajectory_events([early], alerted)] == ["recovery"]
    floor = {**SKILLED, "status": "below_floor", "target_kind": "bound_min", "severity": "medium"}
    assert [e["event_key"] for e in trajectory_events([floor], {})] == [
        f"trajectory|{subject}|below_floor"
    ]


def test_the_alert_line_has_the_numbers_a_bureau_reads():
    # 93.8 % is x/T; the 14.0 points are progress since the baseline, C = 3.1/4.7 = 66.0 %,
    # against 80.0 %: both figures are printed, each under its own name.
    line = describe({**SKILLED, "event_kind": "trajectory"}, "zh").line
    assert line == (
        "**进度偏慢** · 技能人才总量 · 舟山市（舟山市人力资源和社会保障事业发展“十四五”规划）："
        "截至 2024-12-31 实际 24.4万人；按进度应达 25.06万人；目标完成率 93.8%，进度完成度 66.0%，"
        "时序进度 80.0%，低于时序进度 14.0 个百分点；按趋势期末 25.18万人；目标 26万人。首次评估。"
    )
    english = describe({**SKILLED, "event_kind": "trajectory"}, "en").line
    assert (
        "share of target 93.8%, progress since baseline 66.0%, time share 80.0%, "
        "14.0 points behind the time share" in english
    )
    assert english.startswith("**Needs acceleration** · Skilled workers · 舟山市")


def test_a_total_shows_one_figure_and_a_growth_target_its_yearly_growth():
    # A five-year total (城镇新增就业 (22), 17.5 so far): x/T is both measures, printed once.
    line = describe({**ROWS["cumulative"], "event_kind": "trajectory"}).line
    assert "；目标完成率（累计） 79.5%，时序进度 80.0%，低于时序进度 0.5 个百分点；" in line
    assert "进度完成度" not in line
    # 浙江 全员劳动生产率 16.6 → 年均增长6%以上, 19.7 at the end of 2023 (docs/formulas.md).
    productivity = {**ROWS["geometric"], "event_kind": "trajectory"}
    assert (
        "目标完成率 88.7%，进度完成度 58.8%，时序进度 60.0%，低于时序进度 1.2 个百分点，"
        "年均增长 5.9%（目标 6%以上）" in describe(productivity).line
    )
    english = describe(productivity, "en").line
    assert "average yearly growth 5.9% (required 6% a year)" in english


def test_a_bound_shows_its_limit_not_a_time_share():
    pension = {
        **SKILLED,
        "indicator_name_zh": "基本养老保险参保率",
        "status": "breached",
        "status_zh": "超限",
        "target_kind": "bound_min",
        "unit": "%",
        "actual_value": 96.0,
        "expected_value": None,
        "target_notation": ">96",
        "projected_end_value": None,
        "previous_status_zh": "达标",
        "previous_actual_value": 96.3,
        "previous_status": "compliant",
        "attainment_ratio": None,  # null for a bound (the engine's contract)
        "baseline_progress": None,
        "pace_gap_pp": None,
        "target_comparator": ">",
        "is_compliant": False,
        "headroom": 0.0,
    }
    line = describe({**pension, "event_kind": "trajectory"}, "zh").line
    assert "时序进度" not in line and "完成" not in line
    assert line.endswith(
        "截至 2024-12-31 实际 96%；仅达下限（须高于）；目标 >96%。此前状态 达标，上次实际 96.3%。"
    )
    # A floor broken by so much; a ceiling held with room to spare; a band left above.
    floor = {
        **pension,
        "event_kind": "trajectory",
        "status": "below_floor",
        "status_zh": "低于下限",
    }
    floor["actual_value"] = 95.4
    floor["headroom"] = -0.6
    assert "实际 95.4%；低于下限 0.6个百分点；目标 >96%" in describe(floor).line
    assert describe(floor).title == "低于下限：基本养老保险参保率（舟山市）"
    assert (
        "below the floor by 0.6 points"
        in describe({**floor, "status_en": "Below floor"}, "en").line
    )
    ceiling = {
        **pension,
        "event_kind": "trajectory",
        "status": "at_risk",
        "status_zh": "临界",
        "target_kind": "bound_max",
        "target_notation": "≤3",
        "target_comparator": "<=",
        "actual_value": 2.9,
        "is_compliant": True,
        "headroom": 0.1,
    }
    assert "实际 2.9%；余量 0.1个百分点；目标 ≤3%" in describe(ceiling).line
    band = {**ceiling, "target_comparator": "~", "actual_value": 33.0, "target_value": 30.0}
    band.update(is_compliant=False, headroom=-1.5, unit="万人", target_notation="30左右")
    assert "超出上限 1.5万人；目标 30万人左右" in describe(band).line


def test_other_alert_kinds_say_what_happened():
    overdue = describe(
        {
            "event_kind": "release_overdue",
            "indicator_name_zh": "城镇新增就业人数",
            "region_name_zh": "舟山市",
            "period_code": "2025",
            "due_date": "2026-03-31",
            "publisher_zh": "就业管理服务中心",
        }
    )
    assert overdue.line == (
        "**数据逾期** · 城镇新增就业人数 · 舟山市：2025 的数据应于 2026-03-31 前报送（就业管理服务中心），尚未收到。"
    )
    revision = describe(
        {
            "event_kind": "material_revision",
            "indicator_name_zh": "城镇新增就业人数",
            "region_name_zh": "舟山市",
            "period_code": "2024",
            "unit": "万人",
            "first_published_value": 4.6,
            "value": 4.9,
            "revision_ratio": 0.3 / 4.6,
            "file_name": "revised.csv",
        }
    )
    assert "首次发布 4.6万人，现为 4.9万人（+6.5%）" in revision.line


def test_a_digest_puts_the_most_severe_first_and_links_the_report():
    events = [
        {**SKILLED, "event_kind": "trajectory", "line": "b low"},
        {**SKILLED, "event_kind": "trajectory", "severity": "high", "line": "a high"},
        {**SKILLED, "event_kind": "recovery", "severity": None, "line": "c back"},
    ]
    title, body = digest(events, "zh", "https://bi.example.invalid/r")
    assert title == "人社规划指标预警：3 条（高 1，低 1，恢复 1）"
    chart = " 图表：https://bi.example.invalid/r/charts/zs_hrss_14fyp__skilled_talent__330900.png"
    assert body.splitlines() == [
        "- [高] a high" + chart,
        "- [低] b low" + chart,
        "- [恢复] c back" + chart,
        "",
        "完整报告：https://bi.example.invalid/r",
    ]
    # A report that is only a file path gets no chart link; the link follows index.html.
    assert "图表" not in digest(events, "zh", "/srv/hrss/report/index.html")[1]
    overdue = {**SKILLED, "event_kind": "release_overdue", "line": "late"}
    _, body = digest([overdue, events[0]], "en", "https://bi.example.invalid/hrss/index.html")
    assert body.splitlines()[:2] == [
        "- [low] b low Chart: https://bi.example.invalid/hrss/charts/"
        "zs_hrss_14fyp__skilled_talent__330900.png",
        "- [low] late",
    ]


def test_channels_routing_and_labels():
    (email, bot) = parse_channels(
        "mailtos://u:p@smtp.example.gov.cn?to=a@b.cn\n"
        "[severity=medium,domain=employment|talent]dingtalk+https://oapi.dingtalk.com/robot/send?access_token=t"
    )
    assert (email.kind, email.label) == ("apprise", "mailtos@smtp.example.gov.cn")
    assert (bot.kind, bot.label) == ("dingtalk", "dingtalk@oapi.dingtalk.com")
    assert len(bot.channel_id) == 12 and bot.channel_id != email.channel_id
    event = {"severity": "medium", "domain_code": "talent", "event_kind": "trajectory"}
    assert bot.accepts(event)
    assert not bot.accepts({**event, "severity": "low"})
    assert not bot.accepts({**event, "domain_code": "social_security"})
    assert bot.accepts({**event, "severity": None, "event_kind": "recovery"})
    with pytest.raises(ValueError, match="routing filter “colour=red” not understood"):
        parse_channels("[colour=red]json://x")
    with pytest.raises(ValueError, match="must be low, medium or high"):
        parse_channels("[severity=urgent]json://x")


def test_secrets_are_redacted_from_errors():
    (channel,) = parse_channels(
        "feishu+https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123?secret=s3cr3t-value"
    )
    text = "POST https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123 failed (s3cr3t-value)"
    cleaned = redact(text, [channel])
    assert "0123456789abcdef0123" not in cleaned and "s3cr3t-value" not in cleaned


def test_signatures_follow_the_vendors_algorithms():
    # DingTalk: HmacSHA256 keyed by the secret over "timestamp\nsecret", base64.
    expected = base64.b64encode(
        hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    ).decode()
    assert dingtalk_signature("SECabc", 1700000000000) == expected
    # Feishu: HmacSHA256 keyed by "timestamp\nsecret" over an empty message, base64.
    expected = base64.b64encode(hmac.new(b"1700000000\nabc", b"", hashlib.sha256).digest()).decode()
    assert feishu_signature("abc", 1700000000) == expected


@pytest.fixture
def bot():
    """A DingTalk-like receiver on 127.0.0.1 answering ``answer``."""
    received: list[dict] = []
    state = {"answer": {"errcode": 0}}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "json": json.loads(body)})
            data = json.dumps(state["answer"]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received, state
    server.shutdown()
    server.server_close()


def test_a_bot_refusing_the_message_is_an_error_without_the_token(bot):
    base, _, state = bot
    (channel,) = parse_channels(f"dingtalk+{base}/robot/send?access_token=tok-0123456789abcdef")
    state["answer"] = {"errcode": 310000, "errmsg": "sign not match"}
    with pytest.raises(ChannelError, match="DingTalk errcode 310000: sign not match"):
        send(channel, "t", "m")
    (closed,) = parse_channels(
        "dingtalk+http://127.0.0.1:9/robot/send?access_token=tok-0123456789abcdef"
    )
    with pytest.raises(ChannelError) as caught:
        send(closed, "t", "m", timeout=2)
    assert "tok-0123456789abcdef" not in str(caught.value)


def test_the_failure_notifier_sends_at_once_and_spools_for_the_warehouse(
    bot, tmp_path, monkeypatch
):
    from hrss_warehouse.alerts.notifier import notify_failure

    base, received, _ = bot
    token = "tok-0123456789abcdef"
    monkeypatch.setenv(
        "HRSS_ALERT_URLS", f"dingtalk+{base}/robot/send?access_token={token}&secret=SECx"
    )
    # Where to spool comes from the deployment's environment, never from the run conf
    # (a trigger may set only as_of; one that set more is what may have failed).
    monkeypatch.setenv("HRSS_WAREHOUSE", str(tmp_path / "hrss.duckdb"))
    event = notify_failure(
        dag_id="hrss_nightly",
        task_id="dbt_build",
        run_id="scheduled__2026-11-23",
        error=f"Traceback …\nPipelineError: dbt build failed: could not reach {base}/robot/send?access_token={token}",
        conf={"home": "/tmp/elsewhere", "warehouse": "/tmp/elsewhere/hrss.duckdb"},
    )
    (message,) = received
    text = message["json"]["markdown"]["text"]
    assert "**流水线失败** · 任务 dbt_build（运行 scheduled__2026-11-23）" in text
    assert token not in text
    (spooled,) = (tmp_path / "work" / "alert_spool").glob("*.json")
    saved = json.loads(spooled.read_text("utf-8"))
    assert saved["event_id"] == event["event_id"]
    assert saved["deliveries"] == [
        {
            "channel_id": event["deliveries"][0]["channel_id"],
            "channel_label": "dingtalk@127.0.0.1",
            "is_delivered": True,
        }
    ]
    assert token not in spooled.read_text("utf-8")


def test_channels_come_from_the_airflow_connection_when_the_variable_is_unset(monkeypatch):
    from hrss_warehouse.alerts.channels import configured_channels

    monkeypatch.delenv("HRSS_ALERT_URLS", raising=False)
    monkeypatch.setenv(
        "AIRFLOW_CONN_HRSS_ALERTS",
        json.dumps({"conn_type": "generic", "extra": {"urls": "json://127.0.0.1:9/hook"}}),
    )
    assert [c.label for c in configured_channels()] == ["json@127.0.0.1"]
    monkeypatch.setenv("HRSS_ALERT_URLS", "json://10.0.0.1/other")
    assert [c.label for c in configured_channels()] == ["json@10.0.0.1"]


def test_a_reminder_repeats_what_is_still_open_at_its_interval(bot, tmp_path, monkeypatch):
    from datetime import datetime, timedelta

    from hrss_warehouse import workdb
    from hrss_warehouse.alerts.delivery import deliver
    from hrss_warehouse.config import Settings

    base, received, _ = bot
    settings = Settings.load({"warehouse": str(tmp_path / "hrss.duckdb")})
    settings.work_dir.mkdir(parents=True)
    channels = parse_channels(f"dingtalk+{base}/robot/send?access_token=t")
    monkeypatch.setenv("HRSS_ALERT_REMIND_DAYS", "7")
    line = describe({**SKILLED, "event_kind": "trajectory"}).line
    with workdb.connect(settings.work_db) as con:
        con.execute(
            "insert into raw.alert_events values ('e1', 'trajectory', 'k', 'zs_hrss_14fyp', "
            "'skilled_talent', '330900', 'talent', 'needs_acceleration', null, 'low', 't', ?, 'en', "
            "'run-1', ?)",
            [line, datetime(2026, 11, 1)],
        )
        con.execute(
            "insert into raw.alert_state values ('zs_hrss_14fyp|skilled_talent|330900', "
            "'needs_acceleration', 24.4, 'needs_acceleration', ?)",
            [datetime(2026, 11, 1)],
        )
    # Run 1 sends the event itself (it is new to this channel), no reminder of it.
    deliver(settings, "run-1", channels)
    assert "仍未解决" not in received[-1]["json"]["markdown"]["text"]
    # Run 2, nothing new, the interval not passed since... no reminder was ever sent: one now.
    deliver(settings, "run-2", channels)
    message = received[-1]["json"]["markdown"]
    assert message["title"] == "人社规划指标预警提醒：仍有 1 项未解决"
    assert "**仍未解决**\n- " + line in message["text"]
    # Run 3, same day: nothing at all.
    count = len(received)
    deliver(settings, "run-3", channels)
    assert len(received) == count
    # Eight days later: the reminder again; a recovered target drops out of it.
    with workdb.connect(settings.work_db) as con:
        con.execute("update raw.alert_reminders set sent_at = sent_at - ?", [timedelta(days=8)])
    deliver(settings, "run-4", channels)
    assert len(received) == count + 1
    with workdb.connect(settings.work_db) as con:
        con.execute("update raw.alert_reminders set sent_at = sent_at - ?", [timedelta(days=8)])
        con.execute("update raw.alert_state set status = 'on_track'")
    deliver(settings, "run-5", channels)
    assert len(received) == count + 1


# ------------------------------------------------------- delivered text is not markup


@pytest.mark.parametrize(
    ("delivered", "shown"),
    [
        ("@所有人 请立即处理", "＠所有人 请立即处理"),
        ("@all @everyone 请看 @13800138000", "＠all ＠everyone 请看 ＠13800138000"),
        ('<at user_id="all">所有人</at>', '＜at user_id="all">所有人＜/at>'),
        ("报表\n# 标题\r\n> 引用\u2028- 列表", "报表 # 标题 > 引用 - 列表"),
        (
            "**bold** _it_ ~~del~~ `code` a|b \\*",
            "＊＊bold＊＊ ＿it＿ ～～del～～ ｀code｀ a｜b ＼＊",
        ),
        ("[链接](http://evil.example)", "［链接］(http：//evil.example)"),
        ("见 www.evil.example 或 WWW.Evil.example", "见 www．evil.example 或 WWW．Evil.example"),
        ("<script>alert(1)</script>", "＜script>alert(1)＜/script>"),
        ("&lt;img src=x&gt; &#60;b&#62; R&D人员", "＆lt;img src=x＆gt; ＆#60;b＆#62; R&D人员"),
        ("a\x00b\x07c\x1b[31m\x7f", "abc［31m"),
        ("\u202egpj.exe \u200b零宽", "gpj.exe 零宽"),
        ("\udcb1\udcbe.csv", "\ufffd\ufffd.csv"),  # GBK bytes in a name read as UTF-8
        # What only marks up at the start of a line stays: none starts one any more.
        ("报表(1).xlsx >96 #2", "报表(1).xlsx >96 #2"),
        # `_` inside a word is no emphasis: names and rule names stay copyable.
        ("30_skilled_2025.csv __init__ 名_字", "30_skilled_2025.csv ＿＿init＿＿ 名_字"),
        (None, ""),
    ],
)
def test_delivered_text_is_shown_as_text(delivered, shown):
    assert plain(delivered) == shown


def test_delivered_text_is_capped():
    assert plain("名" * 5000) == "名" * 199 + "…"
    assert plain("abcdefghijkl", limit=10) == "abcdefghi…"
    assert plain("a   b" + " " * 300, limit=3) == "a b"
    line = describe({**QUARANTINED, "file_name": "长" * 5000})
    assert line.title == "文件被隔离：" + "长" * 159 + "…"


HOSTILE_NAME = (
    "@所有人 **紧急**\n# 点此 [点此](http://evil.example) <img src=x onerror=alert(1)>.csv"
)
QUARANTINED = {
    "event_kind": "batch_quarantined",
    "severity": "high",
    "file_name": HOSTILE_NAME,
    "rows_in": 3,
    "first_error": '第2行 字段“数值”：“<at user_id="all"></at>\n@13800138000” 数值无法识别为数字',
}
# The line as a channel must show it: our bold, the file's text inert, on one line.
QUARANTINED_LINE = (
    "**文件被隔离** · ＠所有人 ＊＊紧急＊＊ # 点此 ［点此］(http：//evil.example) "
    "＜img src=x onerror=alert(1)>.csv（3 行未发布）："
    '第2行 字段“数值”：“＜at user_id="all">＜/at> ＠13800138000” 数值无法识别为数字'
)


def hostile_digest() -> tuple[str, str]:
    line = describe(QUARANTINED).line
    assert line == QUARANTINED_LINE
    return digest([{**QUARANTINED, "line": line}], "zh", "https://bi.example.invalid/r")


def assert_inert(text: str) -> None:
    assert "**文件被隔离**" in text
    for live in ("@", "<", "](", "http://evil", "\n#", "**紧急**"):
        assert live not in text, live


def test_bots_get_the_file_name_as_text_and_our_markdown_as_markdown(bot):
    base, received, _ = bot
    title, body = hostile_digest()
    assert title == "人社规划指标预警：1 条（高 1）"
    assert body.splitlines() == [
        "- [高] " + QUARANTINED_LINE,
        "",
        "完整报告：https://bi.example.invalid/r",
    ]
    for kind in ("dingtalk", "feishu", "wecom"):
        (channel,) = parse_channels(f"{kind}+{base}/{kind}?access_token=t")
        send(channel, title, body)
    dingtalk, feishu, wecom = (r["json"] for r in received)
    assert dingtalk["markdown"] == {"title": title, "text": body}
    assert feishu["card"]["header"]["title"]["content"] == title
    assert feishu["card"]["elements"] == [{"tag": "markdown", "content": body}]
    assert wecom["markdown"]["content"] == f"## {title}\n{body}"
    for text in (dingtalk["markdown"]["text"], feishu["card"]["elements"][0]["content"]):
        assert_inert(text)
    assert_inert(wecom["markdown"]["content"])


@pytest.fixture
def mailbox():
    """An SMTP server on 127.0.0.1 keeping what it is sent."""
    from aiosmtpd.controller import Controller

    messages: list[email.message.EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Handler(), hostname="127.0.0.1", port=port)
    smtp.start()
    yield port, messages
    smtp.stop()


def test_an_email_shows_the_file_name_as_text_and_our_markdown_as_html(mailbox):
    port, messages = mailbox
    (channel,) = parse_channels(
        f"mailto://127.0.0.1:{port}?from=hrss@example.invalid&to=chief@example.invalid&mode=insecure"
    )
    send(channel, *hostile_digest())
    (message,) = messages
    html = message.get_body(preferencelist=("html",)).get_content()
    # Apprise renders our markdown (raw HTML in it would pass through as HTML).
    assert "<li>[高] <strong>文件被隔离</strong> · ＠所有人 ＊＊紧急＊＊ # 点此" in html
    assert "［点此］(http：//evil.example) ＜img src=x onerror=alert(1)&gt;.csv" in html
    for live in ("<img", "<a ", "<at", "<h1", "@所有人", "@13800138000"):
        assert live not in html, live
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "- [高] 文件被隔离 · ＠所有人 ＊＊紧急＊＊ # 点此 ［点此］" in text


# ------------------------------------------------------------- quarantined files


def test_a_file_with_bad_rows_that_fails_validation_is_still_announced(tmp_path):
    from datetime import datetime

    from hrss_warehouse import workdb
    from hrss_warehouse.config import Settings

    settings = Settings.load({"warehouse": str(tmp_path / "hrss.duckdb")})
    settings.work_dir.mkdir(parents=True)
    now = datetime(2026, 11, 23, 2, 0)
    failed = "文件未通过数据校验：expect_column_values_to_be_between(value)"
    # (file, batch, status, the ledger's first_error, quarantined rows) as load and
    # validate leave them.
    files = [
        # One row bad at load (its message is the first_error), then a rate of 135%
        # failed a critical rule: validate kept that first_error.
        (
            "mixed.csv",
            "run-2",
            "quarantined",
            "文件“mixed.csv”第3行 字段“数值”：“四点六” 数值无法识别为数字",
            [
                (2, "batch_validation_failed", "文件“mixed.csv”第2行 所在" + failed),
                (
                    3,
                    "value_not_numeric",
                    "文件“mixed.csv”第3行 字段“数值”：“四点六” 数值无法识别为数字",
                ),
                (4, "batch_validation_failed", "文件“mixed.csv”第4行 所在" + failed),
            ],
        ),
        ("rate.csv", "run-2", "quarantined", failed, [(2, "batch_validation_failed", "…")]),
        # Bad rows only: the rest published, nothing to announce.
        ("partial.csv", "run-2", "partially_loaded", "第5行 …", [(5, "period_invalid", "…")]),
        # Every row bad at load: the run summary names it; no validation failed.
        ("empty.csv", "run-2", "quarantined", "第2行 …", [(2, "indicator_unknown", "…")]),
        # Quarantined whole the night before: listed again; evaluate drops it, its
        # event_key having been raised then.
        ("old.csv", "run-1", "quarantined", failed, [(2, "batch_validation_failed", "…")]),
    ]
    with workdb.connect(settings.work_db) as con:
        for name, batch, status, first_error, rows in files:
            con.execute(
                "insert into raw.file_ledger (file_sha256, file_name, source_path, size_bytes, "
                "batch_id, received_at, rows_in, rows_loaded, rows_quarantined, status, "
                "first_error) values (?, ?, ?, 100, ?, ?, 3, 0, 3, ?, ?)",
                [f"sha-{name}", name, f"/landing/{name}", batch, now, status, first_error],
            )
            con.executemany(
                "insert into raw.quarantined_rows (batch_id, file_sha256, file_name, row_number, "
                "reason_code, message_zh, quarantined_at) values (?, ?, ?, ?, ?, ?, ?)",
                [[batch, f"sha-{name}", name, n, code, text, now] for n, code, text in rows],
            )
        found = quarantined_files(con)
    assert [(e["file_name"], e["first_error"], e["event_key"]) for e in found] == [
        ("mixed.csv", "文件“mixed.csv”第2行 所在" + failed, "batch_quarantined|sha-mixed.csv"),
        ("old.csv", failed, "batch_quarantined|sha-old.csv"),
        ("rate.csv", failed, "batch_quarantined|sha-rate.csv"),
    ]
    assert {e["severity"] for e in found} == {"high"}
