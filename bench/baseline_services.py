"""Raw nameko baselines: plain nameko entrypoints, none of the platform's kernel.

    python -m bench.baseline_services rpc|http|events

Each role is its own process, started like a platform process (same config file, same
``max_workers``, same broker), so the figures compare like with like:

* ``rpc``    -- ``bench_backend``: ``get(deputy_id)`` returns a fixed deputy-shaped dict
                (no database): the "trivial service" of the @http+RPC baseline (d). Its replies
                go without publisher confirms, as the platform's do (kernel.consumer.UnconfirmedPublisher).
* ``http``   -- ``bench_front``: plain nameko ``@http`` GET /deputies/<id> making one RPC
                to ``bench_backend`` with ``RpcProxy(..., use_confirms=False)``: the bare
                counterpart of gateway -> deputy with the same RPC publishing settings.
* ``rpc-stock``, ``http-stock`` -- ``bench_backend_stock``, ``bench_front_stock``: the same with
                nameko's stock ``@rpc`` and ``RpcProxy`` (request and reply confirmed), printed
                beside (d) for information; (b) calls ``bench_backend_stock``.
* ``events`` -- ``bench_sink``: a plain nameko ``@event_handler`` that counts events in
                memory; ``count()`` over RPC tells the client how many it has seen.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  before anything else

import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402

from nameko.amqp.publish import Publisher  # noqa: E402
from nameko.constants import AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, SERIALIZER_CONFIG_KEY  # noqa: E402
from nameko.events import event_handler  # noqa: E402
from nameko.rpc import Responder, Rpc, RpcConsumer, RpcProxy, get_rpc_exchange, rpc  # noqa: E402
from nameko.web.handlers import http  # noqa: E402

EVENT_SOURCE = "bench_source"
EVENT_TYPE = "tick"

# Roughly the shape and size of the gateway's GET /api/v1/deputies/<id> answer.
DEPUTY = {"code": "D0001", "name": "王建华", "gender": "male", "ethnicity": "汉族", "birth_year": 1968,
          "level": "county", "town": "城关镇", "station_code": "ST-000", "term": 19,
          "occupation": "城关镇农业服务中心主任", "status": "active", "version": 1}


class Live:
    """``/health/live`` so the launcher can wait for every process the same way."""

    @http("GET", "/health/live")
    def live(self, request):
        return json.dumps({"service": self.name, "live": True})


class UnconfirmedReplyPublisher(Publisher):
    use_confirms = False


class UnconfirmedResponder(Responder):
    publisher_cls = UnconfirmedReplyPublisher


class UnconfirmedRpcConsumer(RpcConsumer):
    """nameko's RpcConsumer, replying without a publisher confirm (nothing else changed)."""

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = UnconfirmedResponder(config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                                         config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message)
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class UnconfirmedRpc(Rpc):
    rpc_consumer = UnconfirmedRpcConsumer()


unconfirmed_rpc = UnconfirmedRpc.decorator


def backend_service(name, entrypoint):
    """The trivial RPC back end, its entrypoints made with ``entrypoint``."""
    class Backend(Live):
        @entrypoint
        def get(self, deputy_id):
            return dict(DEPUTY, id=deputy_id, code=deputy_id)

        @entrypoint
        def ping(self):
            return "pong"

    Backend.name = Backend.__name__ = name
    return Backend


def front_service(name, backend, **proxy_options):
    """The bare @http front making one RPC to ``backend`` per request."""
    class Front(Live):
        backend_rpc = RpcProxy(backend, **proxy_options)

        @http("GET", "/deputies/<deputy_id>")
        def get_deputy(self, request, deputy_id):
            return 200, {"Content-Type": "application/json"}, json.dumps(self.backend_rpc.get(deputy_id),
                                                                        ensure_ascii=False)

    Front.name = Front.__name__ = name
    return Front


# (d): the same RPC publishing settings as the platform's (no publisher confirms either way)
BenchBackend = backend_service("bench_backend", unconfirmed_rpc)
BenchFront = front_service("bench_front", "bench_backend", use_confirms=False)
# (d stock), and (b): nameko as it comes (request and reply confirmed)
BenchBackendStock = backend_service("bench_backend_stock", rpc)
BenchFrontStock = front_service("bench_front_stock", "bench_backend_stock")


class BenchSink(Live):
    name = "bench_sink"

    seen = 0  # class attribute: nameko makes a new instance per worker

    @event_handler(EVENT_SOURCE, EVENT_TYPE)
    def on_tick(self, payload):
        BenchSink.seen += 1

    @rpc
    def count(self):
        return BenchSink.seen

    @rpc
    def reset(self):
        BenchSink.seen = 0
        return 0


ROLES = {"rpc": BenchBackend, "http": BenchFront, "rpc-stock": BenchBackendStock, "http-stock": BenchFrontStock,
         "events": BenchSink}


def main(argv=None):
    from nameko.cli.run import run

    from kernel.config import load_config

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in ROLES:
        sys.exit(f"usage: python -m bench.baseline_services {'|'.join(ROLES)}")
    config = load_config()
    logging.basicConfig(level=config.get("LOG_LEVEL", "INFO"), stream=sys.stdout)
    logging.getLogger("amqp").setLevel(logging.WARNING)
    run([ROLES[argv[0]]], config)


if __name__ == "__main__":
    main()
