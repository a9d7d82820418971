"""The disputes app's models: cases (事件, the loop) and, on top of them, disputes and mediation.

Django finds an app's models by importing `disputes.models`; the two topics live in
their own modules and are named here so that `from disputes.models import Case` works."""

from disputes.models.cases import (
    OPEN_STATUSES,
    STAGE_OF_STATUS,
    CalendarDay,
    Case,
    CaseDispatch,
    CaseEvent,
    CaseKind,
    CasePhoto,
    Category,
    Extension,
    Notice,
    Stage,
    Status,
    Supervision,
    TimeLimit,
    TimeUnit,
    Urgency,
    photo_path,
)
from disputes.models.export import ExportJob
from disputes.models.mediation import (
    Dispute,
    DisputeType,
    FollowUp,
    IdType,
    MediationCommittee,
    MediationRoom,
    MediationSession,
    Mediator,
    Outcome,
    Party,
    PartyKind,
    PartySide,
    ReferralTarget,
    RiskCriterion,
    RiskEntry,
    RiskLevel,
    RiskReview,
    Source,
)
from disputes.models.summary import COUNTERS, CaseMonthSummary, CaseOverdueStock

__all__ = [
    "OPEN_STATUSES", "STAGE_OF_STATUS", "CalendarDay", "Case", "CaseDispatch", "CaseEvent", "CaseKind", "CasePhoto", "Category",
    "Extension", "Notice", "Stage", "Status", "Supervision", "TimeLimit", "TimeUnit", "Urgency", "photo_path",
    "Dispute", "DisputeType", "FollowUp", "IdType", "MediationCommittee", "MediationRoom", "MediationSession",
    "Mediator", "Outcome", "Party", "PartyKind", "PartySide", "ReferralTarget", "RiskCriterion", "RiskEntry",
    "RiskLevel", "RiskReview", "Source", "COUNTERS", "CaseMonthSummary", "CaseOverdueStock", "ExportJob",
]
