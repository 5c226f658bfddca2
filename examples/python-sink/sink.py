"""A Herald sink written in Python: a process that speaks Herald's bus contract.

It delivers the notifications of one service type (default `python`) by POSTing them to the URL in the
service's options, publishes one delivery result per final outcome, and dead-letters what it cannot deliver.
Declare the type in herald.yaml (`externalSinks: [{serviceType: python}]`) and configure services of it in
the ConfigMap as usual (`service.python: | url: https://example.test/hook`). See
docs/guides/plugin-in-any-language.md for the contract this program follows.

Environment:
  NATS_URL               nats://127.0.0.1:4222
  HERALD_SERVICE_TYPE    python
  HERALD_SUBJECT_PREFIX  herald   (herald.yaml nats.subjectPrefix)
  HERALD_STREAM_PREFIX   HERALD   (herald.yaml nats.streamPrefix)
  HERALD_SECRETS_DIR     where the notification config's Secret is mounted (one file per key)
  SINK_ACK_WAIT          seconds before an unacknowledged notification is redelivered (30)
  SINK_MAX_DELIVER       attempts before a notification is dead-lettered (5)
  SINK_HTTP_TIMEOUT      seconds for one POST (10)
"""

import asyncio
import json
import os
import re
import secrets
import signal
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone

import nats
from nats.errors import TimeoutError as NoMessages
from nats.js.api import AckPolicy, ConsumerConfig

SERVICE_TYPE = os.environ.get("HERALD_SERVICE_TYPE", "python")
SUBJECTS = os.environ.get("HERALD_SUBJECT_PREFIX", "herald")
STREAMS = os.environ.get("HERALD_STREAM_PREFIX", "HERALD")
SECRETS_DIR = os.environ.get("HERALD_SECRETS_DIR", "/etc/herald/secrets")
ACK_WAIT = float(os.environ.get("SINK_ACK_WAIT", "30"))
MAX_DELIVER = int(os.environ.get("SINK_MAX_DELIVER", "5"))
HTTP_TIMEOUT = float(os.environ.get("SINK_HTTP_TIMEOUT", "10"))

NOTIFICATIONS = f"{STREAMS}_NOTIFICATIONS"
DURABLE = f"herald-sink-{SERVICE_TYPE}"
SOURCE = f"herald/sink/{SERVICE_TYPE}"
SECRET_REF = re.compile(r"\$[\w-]+")


def log(message, **fields):
    """One JSON line per event on stderr, like Herald's own logs."""
    print(json.dumps({"time": now(), "msg": message, **fields}), file=sys.stderr, flush=True)


def now():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DeliveryFailed(Exception):
    def __init__(self, code, message, retryable):
        super().__init__(message)
        self.code, self.retryable = code, retryable


def resolve_secrets(options, refs):
    """Argo's `$name` substitution, done here: the bus carries only where each secret lives, never its value."""

    def value_of(match):
        name = match.group(0)[1:]
        if name not in refs:
            return match.group(0)  # not in the Secret: used as written, as Argo does
        path = os.path.join(SECRETS_DIR, refs[name]["key"])
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError as err:
            raise DeliveryFailed("SECRET_UNREADABLE", f"secret key {refs[name]['key']} not readable at {path}: {err.strerror}", False)

    def walk(v):
        if isinstance(v, str):
            return SECRET_REF.sub(value_of, v)
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    return walk(options)


def post(n):
    """One attempt: POST the rendered message as JSON. 2xx is delivered; 408, 429 and 5xx are worth retrying."""
    destination = n["destination"]
    options = resolve_secrets(destination.get("options", {}), destination.get("secretRefs", {}))
    if not options.get("url"):
        raise DeliveryFailed("NO_URL", f"service {destination['service']} has no url option", False)
    body = json.dumps({
        "message": n["rendered"].get("message", ""),
        **n["rendered"].get(SERVICE_TYPE, {}),
        "recipient": destination["recipient"],
        "trigger": n["trigger"],
        "object": n["ref"],
    }).encode()
    try:
        request = urllib.request.Request(options["url"], data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        # The receiver can drop a repeat: the same notification always carries the same key.
        request.add_header("Idempotency-Key", f"{n['idempotencyKey']}:{n['claimRevision']}")
        for header in options.get("headers", []):
            request.add_header(header["name"], header["value"])
    except (ValueError, KeyError, TypeError) as err:
        # A malformed url or headers option: no attempt will do better until the ConfigMap is fixed.
        raise DeliveryFailed("INVALID_OPTIONS", f"service {destination['service']}: unusable options: {err!r}", False)
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            response.read()
    except urllib.error.HTTPError as err:
        retryable = err.code in (408, 429) or err.code >= 500
        raise DeliveryFailed(f"HTTP_{err.code}", f"{options['url']} answered {err.code}", retryable)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        raise DeliveryFailed("HTTP_UNREACHABLE", f"{options['url']}: {getattr(err, 'reason', err)}", True)


def cloud_event(event_type, event_id, subject, data):
    return json.dumps({
        "specversion": "1.0", "id": event_id, "source": SOURCE, "type": event_type, "subject": subject,
        "time": now(), "datacontenttype": "application/json", "data": data,
    }).encode()


def headers_for(event_id, msg):
    """Nats-Msg-Id is the idempotency key (JetStream drops a repeat); the trace goes on from the notification."""
    headers = {"Nats-Msg-Id": event_id, "Content-Type": "application/cloudevents+json; charset=utf-8"}
    parent = (msg.headers or {}).get("traceparent", "")
    if re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", parent):
        headers["traceparent"] = f"00-{parent[3:35]}-{secrets.token_hex(8)}-{parent[-2:]}"
    return headers


async def still_working(msg):
    while True:
        await asyncio.sleep(ACK_WAIT / 3)
        await msg.in_progress()


class Sink:
    def __init__(self, nc):
        self.nc, self.js = nc, nc.jetstream()
        # Keys this process delivered: a redelivery of one (its ack was lost) is not sent again.
        self.delivered = {}

    async def publish_result(self, msg, n, attempts, error=None):
        """One delivery result per final outcome: Herald's state role settles the claim and the `notified` annotation."""
        d = n["destination"]
        data = {
            "idempotencyKey": n["idempotencyKey"], "claimRevision": n["claimRevision"], "stateKey": n["stateKey"],
            "trigger": n["trigger"], "ref": n["ref"], "succeeded": error is None, "attempts": attempts,
            "destination": {"serviceType": d["serviceType"], "service": d["service"], "recipient": d["recipient"]},
        }
        if error:
            data["error"] = {"code": error.code, "message": str(error), "retryable": error.retryable}
        event_id = f"{n['idempotencyKey']}:{n['claimRevision']}:{attempts}"
        partition = msg.subject.rsplit(".", 1)[-1]  # the object's partition, as on the notification
        subject = f"{SUBJECTS}.results.{SERVICE_TYPE}.{partition}"
        await self.js.publish(subject, cloud_event("io.herald.delivery-result.v1", event_id, n["stateKey"], data), headers=headers_for(event_id, msg))

    async def dead_letter(self, msg, code, reason):
        """What cannot be delivered goes to the dead letters with the reason; `herald dlq retry` can put it back."""
        meta = msg.metadata
        event_id = f"dlq:{meta.stream}:{meta.sequence.stream}:{DURABLE}"
        data = {
            "reason": reason, "code": code, "consumer": DURABLE, "deliveryCount": meta.num_delivered,
            "original": {
                "stream": meta.stream, "subject": msg.subject, "sequence": meta.sequence.stream,
                "headers": dict(msg.headers or {}), "payload": msg.data.decode("utf-8", "replace"), "encoding": "utf8",
            },
        }
        await self.js.publish(f"{SUBJECTS}.dlq.notifications", cloud_event("io.herald.dead-letter.v1", event_id, msg.subject, data), headers=headers_for(event_id, msg))

    async def handle(self, msg):
        attempt = msg.metadata.num_delivered
        try:
            event = json.loads(msg.data)
            n = event["data"]
            key = f"{n['idempotencyKey']}:{n['claimRevision']}"
        except (ValueError, KeyError, TypeError) as err:
            await self.dead_letter(msg, "INVALID_NOTIFICATION", f"not an io.herald.notification.v1 event: {err}")
            await msg.term()
            return
        fields = {"stateKey": n["stateKey"], "service": n["destination"]["service"], "attempt": attempt}
        if key in self.delivered:
            await self.publish_result(msg, n, self.delivered[key])  # same id: JetStream drops it if it was stored
            await msg.ack_sync()
            return
        # A slow endpoint must not look like a dead process: tell the server we are still on it.
        keepalive = asyncio.create_task(still_working(msg))
        try:
            await asyncio.to_thread(post, n)
        except DeliveryFailed as err:
            final = not err.retryable or attempt >= MAX_DELIVER
            log("delivery failed", code=err.code, error=str(err), final=final, **fields)
            if not final:
                await msg.nak(delay=min(2 ** (attempt - 1), 60))  # redelivered after a backoff
                return
            # The failed result gives the claim back (the object's next change may try again); then the letter.
            await self.publish_result(msg, n, attempt, err)
            await self.dead_letter(msg, err.code, str(err))
            await msg.term()
            return
        finally:
            keepalive.cancel()
        self.delivered[key] = attempt
        if len(self.delivered) > 10_000:
            self.delivered.pop(next(iter(self.delivered)))
        # Acknowledged only once the result is stored: a crash before that redelivers the notification.
        await self.publish_result(msg, n, attempt)
        await msg.ack_sync()
        log("delivered", **fields)


async def main():
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    nc = await nats.connect(os.environ.get("NATS_URL", "nats://127.0.0.1:4222"), max_reconnect_attempts=-1)
    sink = Sink(nc)
    # Herald creates the streams; this process creates (or binds to) its durable consumer. Every replica of
    # this program uses the same durable, so they share the work.
    config = ConsumerConfig(
        durable_name=DURABLE,
        filter_subject=f"{SUBJECTS}.notifications.{SERVICE_TYPE}.>",
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ACK_WAIT,
        max_deliver=MAX_DELIVER + 1,  # one more than our attempts: the last one is ours to dead-letter
    )
    sub = await sink.js.pull_subscribe(config.filter_subject, durable=DURABLE, stream=NOTIFICATIONS, config=config)
    log("running", serviceType=SERVICE_TYPE, durable=DURABLE)

    while not stopping.is_set():
        try:
            msgs = await sub.fetch(batch=16, timeout=1)
        except (NoMessages, asyncio.TimeoutError):
            # Nothing within the second: nats-py says so with NoMessages or, mid-batch, a bare TimeoutError.
            continue
        # A notification being delivered is finished before stopping; the others were not fetched.
        for m, outcome in zip(msgs, await asyncio.gather(*(sink.handle(m) for m in msgs), return_exceptions=True)):
            if isinstance(outcome, Exception):
                # Not acknowledged (e.g. NATS went away before the result was stored): redelivered after the ack wait.
                log("notification left for redelivery", subject=m.subject, error=repr(outcome))

    # Every result and dead letter was stored before its ack: nothing is left to flush but the subscription.
    await sub.unsubscribe()
    await nc.close()
    log("stopped")


if __name__ == "__main__":
    asyncio.run(main())
