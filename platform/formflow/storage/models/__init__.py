"""All models, imported here so that ``Base.metadata`` knows every table."""

from formflow.storage.models.auth import ApiToken, LoginThrottle, UserPreference, UserSession
from formflow.storage.models.base import Base
from formflow.storage.models.flows import (
    AutomationDefinition,
    AutomationSchedule,
    FlowDefinition,
    FlowInstance,
    FlowTask,
    FlowTimer,
    FlowVersion,
    WebhookEndpoint,
)
from formflow.storage.models.forms import Form, FormGrant, FormIndexSlot, FormVersion
from formflow.storage.models.org import (
    Calendar,
    CalendarDay,
    Company,
    Department,
    Position,
    Role,
    RoleMember,
    Stamp,
    User,
)
from formflow.storage.models.outbox import Notice, OutboxMessage
from formflow.storage.models.packs import InstalledPack
from formflow.storage.models.records import (
    Attachment,
    Record,
    RecordAudit,
    RecordParticipant,
    RecordReader,
    SerialCounter,
)

__all__ = [
    "ApiToken",
    "Attachment",
    "AutomationDefinition",
    "AutomationSchedule",
    "Base",
    "Calendar",
    "CalendarDay",
    "Company",
    "Department",
    "FlowDefinition",
    "FlowInstance",
    "FlowTask",
    "FlowTimer",
    "FlowVersion",
    "Form",
    "FormGrant",
    "FormIndexSlot",
    "FormVersion",
    "InstalledPack",
    "LoginThrottle",
    "Notice",
    "OutboxMessage",
    "Position",
    "Record",
    "RecordAudit",
    "RecordParticipant",
    "RecordReader",
    "Role",
    "RoleMember",
    "SerialCounter",
    "Stamp",
    "User",
    "UserPreference",
    "UserSession",
    "WebhookEndpoint",
]
