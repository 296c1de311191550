"""Reception days and voters' opinions in the deputy service: ``VoterKeeper`` (a mixin of
DeputyService) answers their RPCs. Entrypoints are thin."""
from kernel.consumer import rpc
from kernel.errors import NotFound, load_payload as load
from services.deputy import voters_handlers as handlers
from contracts.deputy_voters import (AnswerSchema, ClassifySchema, CloseSchema, DeclineSchema, ForwardSchema,
                                     OpinionCreateSchema, OpinionPageSchema, OpinionQuerySchema, OpinionSchema,
                                     ReceptionCreateSchema, ReceptionHeldSchema, ReceptionPageSchema,
                                     ReceptionQuerySchema, ReceptionSchema, TrackingSchema)

ACTION_SCHEMAS = {"classify": ClassifySchema, "answer": AnswerSchema, "forward": ForwardSchema,
                  "decline": DeclineSchema, "close": CloseSchema}


def _id(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0 or number > 2 ** 62:
        raise NotFound(f"no reception {value}", {"id": value})
    return number


class VoterKeeper:
    @rpc
    def schedule_reception(self, station_code, payload, actor=None):
        row = handlers.schedule_reception(station_code, load(ReceptionCreateSchema(), payload), actor, self.db())
        return ReceptionSchema().dump(row)

    @rpc
    def reception_held(self, reception_id, payload=None, actor=None):
        row = handlers.mark_reception_held(_id(reception_id), load(ReceptionHeldSchema(), payload), actor, self.db())
        return ReceptionSchema().dump(row)

    @rpc
    def list_receptions(self, station_code, query=None):
        page = handlers.list_receptions(station_code, load(ReceptionQuerySchema(), query), self.db(readonly=True))
        return ReceptionPageSchema().dump(page)

    @rpc
    def submit_opinion(self, payload):
        return TrackingSchema().dump(handlers.submit_opinion(load(OpinionCreateSchema(), payload), self.db()))

    @rpc
    def track_opinion(self, tracking_code):
        return TrackingSchema().dump(handlers.track(tracking_code, self.db(readonly=True)))

    @rpc
    def list_opinions(self, query=None, actor=None):
        page = handlers.list_opinions(load(OpinionQuerySchema(), query), actor, self.db(readonly=True))
        return OpinionPageSchema().dump(page)

    @rpc
    def act_on_opinion(self, tracking_code, action, payload=None, actor=None):
        if action not in ACTION_SCHEMAS:
            raise NotFound(f"no action {action}", {"action": action})
        view = handlers.act(tracking_code, action, load(ACTION_SCHEMAS[action](), payload), actor, self.db())
        return OpinionSchema().dump(view)

    @rpc
    def prepare_opinion_conversion(self, tracking_code, actor=None):
        return handlers.prepare_conversion(tracking_code, actor, self.db())

    @rpc
    def link_opinion_conversion(self, tracking_code, suggestion, actor=None):
        return OpinionSchema().dump(handlers.link_conversion(tracking_code, suggestion, actor, self.db()))
