"""Alert delivery through the real pipeline to real receivers on 127.0.0.1: an SMTP
server (aiosmtpd) and an HTTP server playing DingTalk, Feishu, WeCom and a generic JSON
webhook. Signatures are checked with the vendors' algorithms written out here. One
delivered file has a hostile name, a bad row and a rate above 100%: it is announced,
as text."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import shutil
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

from tests.integration.steps import run_steps
from tests.integration.support import ROOT, query

pytestmark = pytest.mark.integration

SAMPLE = ROOT / "data" / "sample" / "landing"
DT_TOKEN, DT_SECRET = "dt-token-0123456789abcdef", "SECdingtalk0123456789abcdef"
FS_HOOK, FS_SECRET = "fs-hook-0123456789abcdef", "feishu-secret-0123456789"
WC_KEY = "wecom-key-0123456789abcdef"
SMTP_PASSWORD = "smtp-pass-0123456789"
SECRETS = (DT_TOKEN, DT_SECRET, FS_HOOK, FS_SECRET, WC_KEY, SMTP_PASSWORD)

# 技能人才总量 21.3 → 26 (003 L108), 24.4 at the end of 2024 (004 L89): x/T = 93.8 %,
# C = 3.1/4.7 = 0.66 against e = 0.8 — both printed, each under its own name (issue 18).
SKILLED_LINE = (
    "**进度偏慢** · 技能人才总量 · 舟山市（舟山市人力资源和社会保障事业发展“十四五”规划）："
    "截至 2024-12-31 实际 24.4万人；按进度应达 25.06万人；目标完成率 93.8%，进度完成度 66.0%，"
    "时序进度 80.0%，低于时序进度 14.0 个百分点；按趋势期末 24.82万人；目标 26万人。首次评估。"
)

# A file named to mention everyone, shout, link and run script; one row is not a
# number, and 135% breaks the critical value-range rule: quarantined whole.
HOSTILE_NAME = "@所有人 **紧急** [点此](javascript:alert(1)) <img src=x onerror=alert(1)>.csv"
HOSTILE_FILE = (
    "指标名称,地区,统计期,数值,单位,口径\n"
    "技能人才总量,舟山市,2023年,22.55,万人,期末\n"
    "城镇新增就业人数,舟山市,2024年,@所有人 请立即处理,万人,当期\n"
    "劳动人事争议调解成功率,舟山市,2024年,135,%,期末\n"
)
SHOWN_NAME = "＠所有人 ＊＊紧急＊＊ ［点此］(javascript:alert(1)) ＜img src=x onerror=alert(1)>.csv"
HOSTILE_LINE = (
    f"**文件被隔离** · {SHOWN_NAME}（3 行未发布）：文件“{SHOWN_NAME}”第2行 "
    "所在文件未通过数据校验：expect_column_values_to_be_between(value)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """One HTTP server for all bots; records every request."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[dict] = []
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urllib.parse.urlsplit(self.path)
                requests.append(
                    {
                        "path": parts.path,
                        "query": dict(urllib.parse.parse_qsl(parts.query)),
                        "json": json.loads(body or b"{}"),
                    }
                )
                answer = {"code": 0} if "/open-apis/" in parts.path else {"errcode": 0}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def to(self, fragment: str) -> list[dict]:
        return [r for r in self.requests if fragment in r["path"]]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture(scope="module")
def receivers():
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    mailbox = Mailbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == b"hrss"
            and (auth_data.password == SMTP_PASSWORD.encode())
        )
        mailbox.logins.append(ok)
        return AuthResult(success=ok)

    smtp = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,  # 127.0.0.1 only; production URLs use mailtos://
    )
    smtp.start()
    http = Receiver()
    http.start()
    yield mailbox, smtp.port, http
    http.stop()
    smtp.stop()


def channels(smtp_port: int, http_port: int) -> str:
    base = f"http://127.0.0.1:{http_port}"
    return "\n".join(
        [
            f"mailto://hrss:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}?from=hrss@example.invalid"
            "&to=chief@example.invalid&mode=insecure",
            f"dingtalk+{base}/robot/send?access_token={DT_TOKEN}&secret={DT_SECRET}",
            f"feishu+{base}/open-apis/bot/v2/hook/{FS_HOOK}?secret={FS_SECRET}",
            # The WeCom group only wants medium and high.
            f"[severity=medium]wecom+{base}/cgi-bin/webhook/send?key={WC_KEY}",
            f"json://127.0.0.1:{http_port}/hook",
        ]
    )


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, hrss, receivers):
    _, smtp_port, http = receivers
    landing = tmp_path_factory.mktemp("landing")
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, landing)
    (landing / HOSTILE_NAME).write_text(HOSTILE_FILE, encoding="utf-8")
    warehouse = tmp_path_factory.mktemp("alerts") / "hrss.duckdb"
    env = {
        "HRSS_ALERT_URLS": channels(smtp_port, http.port),
        "HRSS_REPORT_URL": "https://bi.example.invalid/report",
    }
    done = hrss("run", "--landing", landing, "--warehouse", warehouse, env=env)
    assert done.returncode == 0, done.stderr + done.stdout[-3000:]
    return landing, warehouse, env, done


def test_dingtalk_gets_one_signed_markdown_digest(first_run, receivers):
    _, _, http = receivers
    (request,) = http.to("/robot/send")
    query_ = request["query"]
    assert query_["access_token"] == DT_TOKEN
    # DingTalk: sign = base64(HmacSHA256(secret, timestamp + "\n" + secret)), ms timestamp.
    expected = base64.b64encode(
        hmac.new(
            DT_SECRET.encode(), f"{query_['timestamp']}\n{DT_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert query_["sign"] == expected
    body = request["json"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("人社规划指标预警：")
    assert SKILLED_LINE in body["markdown"]["text"]
    assert "完整报告：https://bi.example.invalid/report" in body["markdown"]["text"]


def test_feishu_gets_one_signed_card(first_run, receivers):
    _, _, http = receivers
    (request,) = http.to("/open-apis/bot/v2/hook/")
    assert request["path"].endswith(FS_HOOK)
    body = request["json"]
    # Feishu: sign = base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")), s timestamp.
    key = f"{body['timestamp']}\n{FS_SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body["msg_type"] == "interactive"
    (element,) = body["card"]["elements"]
    assert element["tag"] == "markdown" and SKILLED_LINE in element["content"]


def test_routing_sends_wecom_only_what_it_asked_for(first_run, receivers):
    _, _, http = receivers
    (request,) = http.to("/cgi-bin/webhook/send")
    content = request["json"]["markdown"]["content"]
    # 劳动人事争议调解成功率 79 against 80 (C = 33.3 % of the way at 80 % of the time): lagging,
    # medium — sent; the low needs_acceleration of 技能人才总量 is not. (Until issue 18 this
    # was 基本养老保险参保率 96.0 against >96 as a breached floor: the catalog now reads
    # >95 → >96 as a level to reach, on track, so the sample has no bound breach.)
    assert "**滞后** · 劳动人事争议调解成功率 · 舟山市" in content
    assert (
        "目标完成率 98.8%，进度完成度 33.3%，时序进度 80.0%，低于时序进度 46.7 个百分点" in content
    )
    assert "**进度偏慢** · 技能人才总量" not in content
    assert request["query"]["key"] == WC_KEY


def test_email_and_generic_webhook_through_apprise(first_run, receivers):
    mailbox, _, http = receivers
    (message,) = mailbox.messages
    assert mailbox.logins == [True]  # the password from the URL, accepted
    assert message["To"] == "chief@example.invalid"
    assert str(message["Subject"]).startswith("人社规划指标预警：")
    assert "技能人才总量" in text_of(message) and "低于时序进度 14.0 个百分点" in text_of(message)
    (hook,) = [r for r in http.requests if r["path"] == "/hook"]
    assert hook["json"]["title"].startswith("人社规划指标预警：")
    assert "技能人才总量" in hook["json"]["message"]


def test_a_hostile_file_is_announced_as_text_on_every_channel(first_run, receivers):
    mailbox, _, http = receivers
    _, warehouse, _, _ = first_run
    # A bad row first, then the critical rule: still a batch_quarantined event.
    assert query(
        warehouse,
        "select distinct message_zh from marts.fct_alert_event "
        "where event_kind = 'batch_quarantined'",
    ) == [(HOSTILE_LINE,)]
    (dingtalk,) = http.to("/robot/send")
    (feishu,) = http.to("/open-apis/bot/v2/hook/")
    (wecom,) = http.to("/cgi-bin/webhook/send")
    (hook,) = [r for r in http.requests if r["path"] == "/hook"]
    markdowns = {
        "dingtalk": dingtalk["json"]["markdown"]["text"],
        "feishu": feishu["json"]["card"]["elements"][0]["content"],
        "wecom": wecom["json"]["markdown"]["content"],
        "json": hook["json"]["message"],
    }
    for channel, text in markdowns.items():
        # Our list item and bold, the file's text on the same line and inert.
        assert "\n- [高] " + HOSTILE_LINE + "\n" in "\n" + text + "\n", channel
        for live in ("@", "<", "](", "**紧急**"):
            assert live not in text, (channel, live)
    (mail,) = mailbox.messages
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert (
        "<li>[高] <strong>文件被隔离</strong> · ＠所有人 ＊＊紧急＊＊ ［点此］(javascript:" in html
    )
    for live in ("<img", "<a ", "<em>", "<strong>紧急", "@所有人"):
        assert live not in html, live


def test_every_alert_is_recorded_per_channel(first_run):
    _, warehouse, _, done = first_run
    rows = query(
        warehouse,
        "select channel_label, count(*), bool_and(is_delivered) from marts.fct_alert_event "
        "where event_kind = 'trajectory' group by channel_label order by channel_label",
    )
    labels = [r[0] for r in rows]
    assert labels == [
        "dingtalk@127.0.0.1",
        "feishu@127.0.0.1",
        "json@127.0.0.1",
        "mailto@127.0.0.1",
        "wecom@127.0.0.1",
    ]
    assert all(r[2] for r in rows)
    # The medium and high trajectory events: 劳动人事争议调解成功率 滞后 (medium) and
    # Shaoyang's binding 失业保险参保人数 33.4 against 34 (high, a sample file since issue
    # 18). Before, the second was 基本养老保险参保率 96.0 against >96 as a breached floor,
    # now a level to reach.
    assert dict((r[0], r[1]) for r in rows)["wecom@127.0.0.1"] == 2
    assert "dingtalk@127.0.0.1: " in done.stdout and "delivered" in done.stdout


def test_secrets_never_reach_logs_or_the_warehouse(first_run):
    _, warehouse, _, done = first_run
    logs = done.stdout + done.stderr
    assert not [s for s in SECRETS if s in logs]
    runs = warehouse.parent / "work" / "runs"
    for path in runs.glob("*.log"):
        text = path.read_text("utf-8", "replace")
        assert not [s for s in SECRETS if s in text], path
    for db in (warehouse, warehouse.parent / "work" / "hrss_work.duckdb"):
        with duckdb.connect(str(db), read_only=True) as con:
            columns = con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type = 'VARCHAR'"
            ).fetchall()
            for schema, table, column in columns:
                for secret in SECRETS:
                    hits = con.execute(
                        f'select count(*) from "{schema}"."{table}" where "{column}" like ?',
                        [f"%{secret}%"],
                    ).fetchone()[0]
                    assert hits == 0, (schema, table, column)


# The nights after the first are about what delivery remembers, not Airflow or its logs
# (the first night, through `hrss run`, checks those): they run the steps in process.
@pytest.fixture(scope="module")
def second_run(first_run, receivers):
    landing, warehouse, env, _ = first_run
    mailbox, _, http = receivers
    before = (len(mailbox.messages), len(http.requests))
    done = run_steps(landing=landing, warehouse=warehouse, env=env)
    return before, (len(mailbox.messages), len(http.requests)), done


def test_the_same_data_again_sends_nothing(second_run):
    before, after, done = second_run
    assert after == before
    assert "0 new event(s)" in done.stdout


@pytest.fixture(scope="module")
def receiver_down_run(second_run, first_run, receivers):
    landing, warehouse, env, _ = first_run
    mailbox, _, http = receivers
    # 技能人才总量 26 at the end of 2025: the target (003 L108) is met — a recovery.
    (landing / "30_skilled_2025.csv").write_text(
        "指标名称,地区,统计期,数值,单位,口径\n技能人才总量,舟山市,2025年,26.0,万人,期末\n",
        encoding="utf-8",
    )
    mails = len(mailbox.messages)
    http.stop()
    done = run_steps(landing=landing, warehouse=warehouse, env=env)  # raises if a step fails
    return warehouse, done, mailbox.messages[mails:]


def test_a_recovery_is_announced_and_a_down_channel_does_not_fail_the_run(receiver_down_run):
    warehouse, done, new_mails = receiver_down_run
    (mail,) = new_mails
    # Apprise sends the markdown as plain text too (no **).
    assert "[恢复] 已恢复：已完成 · 技能人才总量 · 舟山市" in text_of(mail)
    assert "此前状态 进度偏慢，上次实际 24.4万人" in text_of(mail)
    rows = query(
        warehouse,
        "select channel_label, is_delivered, attempt_count, last_error_text from marts.fct_alert_event "
        "where event_kind = 'recovery' order by channel_label",
    )
    by_channel = {r[0]: r[1:] for r in rows}
    assert by_channel["mailto@127.0.0.1"][:2] == (True, 1)
    for label in ("dingtalk@127.0.0.1", "feishu@127.0.0.1", "json@127.0.0.1"):
        delivered, attempts, error = by_channel[label]
        assert (delivered, attempts) == (False, 1), label
        assert error and not [s for s in SECRETS if s in error]
    assert "NOT delivered" in done.stdout and "retried next run" in done.stdout


def test_an_undelivered_alert_goes_out_when_the_channel_is_back(
    receiver_down_run, first_run, receivers
):
    landing, warehouse, env, _ = first_run
    mailbox, _, http = receivers
    mails = len(mailbox.messages)
    http.start()
    run_steps(landing=landing, warehouse=warehouse, env=env)
    assert len(mailbox.messages) == mails  # email had it already
    (dingtalk,) = [r for r in http.to("/robot/send") if "已恢复" in r["json"]["markdown"]["text"]]
    assert "**已恢复：已完成** · 技能人才总量 · 舟山市" in dingtalk["json"]["markdown"]["text"]
    rows = query(
        warehouse,
        "select channel_label, is_delivered, attempt_count from marts.fct_alert_event "
        "where event_kind = 'recovery' and channel_label = 'dingtalk@127.0.0.1'",
    )
    assert rows == [("dingtalk@127.0.0.1", True, 2)]
