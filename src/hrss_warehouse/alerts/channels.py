"""Where alerts go: channels configured as URLs, with routing, and the senders.

``HRSS_ALERT_URLS`` (or the Airflow connection ``hrss_alerts``, its password or extra
``urls``) holds one URL per channel, separated by whitespace or newlines:

- any Apprise URL: ``mailtos://user:pass@smtp.example.gov.cn?to=chief@example.gov.cn``,
  ``slack://…``, ``json://host/path`` (generic JSON webhook), …;
- the bots Chinese bureaus use, with what Apprise does not give (signed requests,
  markdown cards), as the webhook URL the bot's settings page shows, prefixed with
  its kind: ``dingtalk+https://oapi.dingtalk.com/robot/send?access_token=…&secret=SEC…``,
  ``feishu+https://open.feishu.cn/open-apis/bot/v2/hook/…?secret=…``,
  ``wecom+https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``.

A URL may start with routing filters in brackets, comma-separated:
``[severity=medium,domain=employment|talent,region=330900,kind=trajectory]URL`` —
only alerts matching every filter go to that channel (severity is a minimum).

URLs carry secrets: they are never logged, stored or put in a run conf. A channel is
known everywhere else by ``channel_id`` (a hash of its URL) and ``label`` (kind and host).

The senders send the markdown they are given: text from delivered files was already
made inert where it entered the message (``messages.plain``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from hrss_warehouse.config import alert_urls

SEVERITY_RANK = {None: 0, "low": 1, "medium": 2, "high": 3}
_ROUTE = re.compile(r"^\[([^\]]*)\](.+)$", re.DOTALL)
_BOT_KINDS = ("dingtalk", "feishu", "wecom")
_EVENT_FIELD = {"domain": "domain_code", "region": "region_code", "kind": "event_kind"}


class ChannelError(RuntimeError):
    """A channel did not take the message (the text never contains the URL or secrets)."""


@dataclass(frozen=True)
class Channel:
    url: str = field(repr=False)
    kind: str
    channel_id: str
    label: str
    filters: tuple[tuple[str, frozenset[str]], ...] = ()

    def accepts(self, event: dict) -> bool:
        for key, allowed in self.filters:
            if key == "severity":
                # A minimum; a recovery (no severity) goes wherever its kind and place go.
                wanted = min(SEVERITY_RANK[s] for s in allowed)
                if event.get("severity") and SEVERITY_RANK[event["severity"]] < wanted:
                    return False
            elif str(event.get(_EVENT_FIELD[key]) or "") not in allowed:
                return False
        return True

    def secrets(self) -> list[str]:
        """Everything in the URL that must never be shown: the URL itself, its query
        values, its password and path segments longer than a word."""
        parts = urllib.parse.urlsplit(self.url.split("+", 1)[-1])
        found = [self.url, self.url.split("+", 1)[-1]]
        found += [v for values in urllib.parse.parse_qs(parts.query).values() for v in values]
        found += [p for p in parts.path.split("/") if len(p) >= 16]
        if parts.password:
            found.append(parts.password)
        return [s for s in found if s]


def parse_channels(text: str | None) -> list[Channel]:
    """Channels from the configuration text; a malformed filter is an error naming it."""
    channels = []
    for entry in (text or "").split():
        filters: list[tuple[str, frozenset[str]]] = []
        if match := _ROUTE.match(entry):
            for item in filter(None, match.group(1).split(",")):
                key, _, values = item.partition("=")
                key = key.strip()
                if key not in ("severity", "domain", "region", "kind") or not values:
                    raise ValueError(f"alert routing filter “{item}” not understood")
                allowed = frozenset(v.strip() for v in values.split("|") if v.strip())
                if key == "severity" and not allowed <= {"low", "medium", "high"}:
                    raise ValueError(f"alert severity “{values}” must be low, medium or high")
                filters.append((key, allowed))
            entry = match.group(2)
        kind = entry.split("+", 1)[0] if entry.split("+", 1)[0] in _BOT_KINDS else "apprise"
        host = urllib.parse.urlsplit(entry.split("+", 1)[-1]).hostname or ""
        scheme = entry.split(":", 1)[0].split("+", 1)[0]
        channels.append(
            Channel(
                url=entry,
                kind=kind,
                channel_id=hashlib.sha256(entry.encode("utf-8")).hexdigest()[:12],
                label=f"{scheme}@{host}" if host else scheme,
                filters=tuple(filters),
            )
        )
    return channels


def configured_channels() -> list[Channel]:
    """From HRSS_ALERT_URLS; under Airflow, the ``hrss_alerts`` connection when the
    variable is unset (looked up here, at task run time, never at DAG parse)."""
    text = alert_urls()
    if not text:
        text = _airflow_connection_urls()
    return parse_channels(text)


def _airflow_connection_urls() -> str | None:
    try:
        from airflow.sdk import BaseHook
    except ImportError:
        return None
    try:
        connection = BaseHook.get_connection("hrss_alerts")
    except Exception:  # no such connection: alerts are simply not delivered anywhere
        return None
    extra = connection.extra_dejson or {}
    return extra.get("urls") or connection.password


def redact(text: str, channels: list[Channel]) -> str:
    for channel in channels:
        for secret in sorted(channel.secrets(), key=len, reverse=True):
            text = text.replace(secret, "***")
            text = text.replace(urllib.parse.quote(secret, safe=""), "***")
    return text


# ----------------------------------------------------------------------------- senders


def send(channel: Channel, title: str, markdown: str, *, timeout: float = 10.0) -> None:
    """Deliver one message or raise ChannelError (already redacted)."""
    try:
        if channel.kind == "dingtalk":
            _send_dingtalk(channel.url, title, markdown, timeout)
        elif channel.kind == "feishu":
            _send_feishu(channel.url, title, markdown, timeout)
        elif channel.kind == "wecom":
            _send_wecom(channel.url, title, markdown, timeout)
        else:
            _send_apprise(channel.url, title, markdown)
    except ChannelError as exc:
        raise ChannelError(redact(str(exc), [channel])) from None
    except Exception as exc:  # network, TLS, DNS …: the URL may be in the text
        raise ChannelError(redact(f"{type(exc).__name__}: {exc}", [channel])) from None


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """DingTalk custom-robot signing: base64(HMAC-SHA256(secret, "timestamp\\nsecret"))."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_signature(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark custom-bot signing: base64(HMAC-SHA256(key="timestamp\\nsecret", b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def _split(url: str) -> tuple[str, dict[str, str]]:
    """``kind+https://host/path?a=1&secret=s`` → (https://host/path?a=1, {"secret": "s"})."""
    target = url.split("+", 1)[1]
    parts = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in query if k == "secret"}
    kept = urllib.parse.urlencode([(k, v) for k, v in query if k != "secret"])
    return urllib.parse.urlunsplit(parts._replace(query=kept)), ours


def _post_json(url: str, payload: dict, timeout: float) -> dict:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise ChannelError(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise ChannelError(f"unreachable: {exc.reason}") from None
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        raise ChannelError("the bot answered with something that is not JSON") from None


def _send_dingtalk(url: str, title: str, markdown: str, timeout: float) -> None:
    target, ours = _split(url)
    if secret := ours.get("secret"):
        timestamp = int(time.time() * 1000)
        sign = urllib.parse.quote_plus(dingtalk_signature(secret, timestamp))
        target += ("&" if "?" in target else "?") + f"timestamp={timestamp}&sign={sign}"
    answer = _post_json(
        target, {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}, timeout
    )
    if answer.get("errcode", 0) != 0:
        raise ChannelError(f"DingTalk errcode {answer.get('errcode')}: {answer.get('errmsg')}")


def _send_feishu(url: str, title: str, markdown: str, timeout: float) -> None:
    target, ours = _split(url)
    payload: dict = {
        "msg_type": "interactive",
        "card": {
            "header": {"title": {"tag": "plain_text", "content": title}},
            "elements": [{"tag": "markdown", "content": markdown}],
        },
    }
    if secret := ours.get("secret"):
        timestamp = int(time.time())
        payload = {
            "timestamp": str(timestamp),
            "sign": feishu_signature(secret, timestamp),
            **payload,
        }
    answer = _post_json(target, payload, timeout)
    code = answer.get("code", answer.get("StatusCode", 0))
    if code != 0:
        raise ChannelError(
            f"Feishu code {code}: {answer.get('msg') or answer.get('StatusMessage')}"
        )


def _send_wecom(url: str, title: str, markdown: str, timeout: float) -> None:
    target, _ = _split(url)
    # WeCom markdown has no title field: the title leads as a heading.
    answer = _post_json(
        target, {"msgtype": "markdown", "markdown": {"content": f"## {title}\n{markdown}"}}, timeout
    )
    if answer.get("errcode", 0) != 0:
        raise ChannelError(f"WeCom errcode {answer.get('errcode')}: {answer.get('errmsg')}")


def _send_apprise(url: str, title: str, markdown: str) -> None:
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        raise ChannelError("Apprise does not understand this URL")
    if not sender.notify(title=title, body=markdown, body_format=apprise.NotifyFormat.MARKDOWN):
        raise ChannelError("Apprise could not deliver (see its log for the reason)")
