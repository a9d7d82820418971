"""Roles, the territory level each is held on, and what each may do.

A role is held on a territory node and covers everything below it. What a role
may do is a set of capabilities; the scoping function asks "which nodes give
this user capability X" and filters by those nodes' codes.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    CITY = 1, _("市")
    DISTRICT = 2, _("区县")
    STREET = 3, _("街道乡镇")
    COMMUNITY = 4, _("社区村")
    GRID = 5, _("网格")


# GB/T 2260-style codes: a child's code extends its parent's by a fixed width.
CODE_LENGTH = {Level.CITY: 4, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12, Level.GRID: 15}
LEVEL_BY_CODE_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    PARTY_SECRETARY = "party_secretary", _("社区党组织书记")
    STREET_OFFICER = "street_officer", _("街道干部")
    DISTRICT_CENTRE = "district_centre", _("区综治中心")
    CITY_LEADER = "city_leader", _("市级领导")
    DEPT_HANDLER = "dept_handler", _("职能部门处置人员")
    MEDIATOR = "mediator", _("调解员")
    # 三员分立 (GB/T 22239-2019 8.1.4.2, 8.1.5): three administrators, none able to do another's work.
    # The value "admin" is kept for the system administrator, so existing assignments keep working.
    ADMIN = "admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# Which levels a role may be held on. None: any level.
ROLE_LEVELS: dict[str, set[int] | None] = {
    Role.GRID_WORKER: {Level.GRID},
    Role.COMMUNITY_STAFF: {Level.COMMUNITY},
    Role.PARTY_SECRETARY: {Level.COMMUNITY},
    Role.STREET_OFFICER: {Level.STREET},
    Role.DISTRICT_CENTRE: {Level.DISTRICT},
    Role.CITY_LEADER: {Level.CITY},
    Role.DEPT_HANDLER: {Level.CITY, Level.DISTRICT, Level.STREET},
    Role.MEDIATOR: {Level.DISTRICT, Level.STREET, Level.COMMUNITY},
    Role.ADMIN: None,
    Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}

# The administrators' roles: granted only at installation (the superuser, in the audited /admin/ or
# by a command), never by a role holder; one account holds at most one of them
# (governance.models.RoleAssignment.clean, governance.actions.do_grant_role).
ADMIN_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class Cap:
    """Capabilities. Each is also a permission codename on Region (scope_<cap>),
    so a django-guardian grant on a node gives that capability below the node."""

    VIEW = "view"  # see the territory and what lives in it
    # See the territory's cases, disputes and risk register. Not department handlers: a case
    # reaches them only by dispatch (disputes.selectors.cases.visible_cases).
    VIEW_CASES = "view_cases"
    VIEW_REGISTER = "view_register"  # residents, houses, units
    CHANGE_REGISTER = "change_register"
    REVEAL_PII = "reveal_pii"  # unmask ID numbers and phones (audited)
    MANAGE_USERS = "manage_users"
    IMPORT_ROSTER = "import_roster"
    CONFIGURE = "configure"  # categories, time limits, calendars
    # Cases (disputes app). Handling is by assignment (the assignee or their department), not by scope.
    FILE_CASE = "file_case"  # report a case in a grid, self-handle (自处) a minor one
    ACCEPT_CASE = "accept_case"  # 受理 / 不予受理
    ASSIGN_CASE = "assign_case"  # 派遣, merge duplicates
    VERIFY_CASE = "verify_case"  # 核查 (fixed → closed, not fixed → back to handling)
    SUPERVISE_CASE = "supervise_case"  # escalate by hand, decide extensions (延期)
    # Disputes (矛盾纠纷).
    MEDIATE = "mediate"  # schedule and record mediation sessions, settle or refer, follow-up visits
    MANAGE_RISK = "manage_risk"  # assess risk, run the risk register (owner, reviews, close)
    # Reports (八个一): run a period by hand, confirm a node's snapshot, publish a report with its ranking.
    APPROVE_REPORT = "approve_report"
    # See the sensitive person tags (社区矫正, 刑满释放, 严重精神障碍, 吸毒: parties.models.SENSITIVE_TAGS)
    # on pages, lists, filters, exports, the API and counts. Without it they are not there at all.
    VIEW_SENSITIVE_TAGS = "view_sensitive_tags"
    # 三员分立: the security administrator's and the audit administrator's own capabilities.
    MANAGE_SECURITY = "manage_security"  # password policy, lockouts, API tokens, territorial grants
    READ_AUDIT = "read_audit"  # read, search and export the audit trail (and nothing else)

    ALL = (
        VIEW, VIEW_CASES, VIEW_REGISTER, CHANGE_REGISTER, REVEAL_PII, MANAGE_USERS, IMPORT_ROSTER, CONFIGURE,
        FILE_CASE, ACCEPT_CASE, ASSIGN_CASE, VERIFY_CASE, SUPERVISE_CASE, MEDIATE, MANAGE_RISK, APPROVE_REPORT,
        VIEW_SENSITIVE_TAGS, MANAGE_SECURITY, READ_AUDIT,
    )


ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset({Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_REGISTER, Cap.CHANGE_REGISTER, Cap.FILE_CASE, Cap.VERIFY_CASE}),
    # Community staff keep the special groups (特殊人群) of their community: they see the sensitive tags.
    Role.COMMUNITY_STAFF: frozenset(
        {Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_REGISTER, Cap.CHANGE_REGISTER, Cap.REVEAL_PII, Cap.FILE_CASE, Cap.VERIFY_CASE,
         Cap.VIEW_SENSITIVE_TAGS}
    ),
    Role.PARTY_SECRETARY: frozenset(
        {Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_REGISTER, Cap.CHANGE_REGISTER, Cap.REVEAL_PII, Cap.FILE_CASE, Cap.VERIFY_CASE}
    ),
    Role.STREET_OFFICER: frozenset(
        {Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_REGISTER, Cap.CHANGE_REGISTER, Cap.REVEAL_PII, Cap.FILE_CASE, Cap.ACCEPT_CASE,
         Cap.ASSIGN_CASE, Cap.VERIFY_CASE, Cap.SUPERVISE_CASE, Cap.MEDIATE, Cap.MANAGE_RISK, Cap.APPROVE_REPORT,
         Cap.VIEW_SENSITIVE_TAGS}
    ),
    Role.DISTRICT_CENTRE: frozenset(
        {Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_REGISTER, Cap.REVEAL_PII, Cap.ACCEPT_CASE, Cap.ASSIGN_CASE, Cap.SUPERVISE_CASE,
         Cap.MANAGE_RISK, Cap.APPROVE_REPORT, Cap.VIEW_SENSITIVE_TAGS}
    ),
    Role.CITY_LEADER: frozenset({Cap.VIEW, Cap.VIEW_CASES, Cap.VIEW_REGISTER, Cap.SUPERVISE_CASE, Cap.APPROVE_REPORT}),
    # Departments see the territory they serve; cases reach them by dispatch, not by scope
    # (no VIEW_CASES): an undispatched case of their street is "does not exist" to them.
    Role.DEPT_HANDLER: frozenset({Cap.VIEW}),
    # Mediators take walk-ins (来访) and run mediation; they see the parties' data in their territory.
    Role.MEDIATOR: frozenset({Cap.VIEW, Cap.VIEW_CASES, Cap.FILE_CASE, Cap.MEDIATE, Cap.REVEAL_PII}),
    # 系统管理员: users and roles, configuration, roster import (and the registers that imports
    # fill) — no case work, no reveal of personal data, no sensitive tags, nothing of security or audit.
    Role.ADMIN: frozenset(
        {Cap.VIEW, Cap.VIEW_REGISTER, Cap.CHANGE_REGISTER, Cap.MANAGE_USERS, Cap.IMPORT_ROSTER,
         Cap.CONFIGURE, Cap.APPROVE_REPORT}
    ),
    # 安全管理员: password policy, lockouts, API tokens, territorial grants. Sees the territory (to pick
    # where a grant applies), not the registers or cases.
    Role.SECURITY_ADMIN: frozenset({Cap.VIEW, Cap.MANAGE_SECURITY}),
    # 审计管理员: the audit trail and nothing else.
    Role.AUDIT_ADMIN: frozenset({Cap.READ_AUDIT}),
}

# No role holds two administrators' capabilities (checked by governance/tests/test_separation_of_duties.py).
SEPARATED_CAPABILITIES = (
    frozenset({Cap.MANAGE_USERS, Cap.IMPORT_ROSTER, Cap.CONFIGURE}),
    frozenset({Cap.MANAGE_SECURITY}),
    frozenset({Cap.READ_AUDIT}),
)

# Every administrator's role must sign in with a second factor (governance.identity.totp_required).
TOTP_REQUIRED_ROLES = ADMIN_ROLES
