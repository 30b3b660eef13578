"""Who gets what from every URL of the project: the access matrix (docs/security.md).

One row per URL name, one answer per role, in the order of ROLES:

    anonymous      no account, no private link (a forged link where the URL needs one)
    participant    no account, holding their own private link
    member         logged in, a member of some organisation of the circle
    editor         logged in, an editor of the owning organisation
    coordinator_other   logged in, a coordinator of another organisation
    coordinator    logged in, a coordinator of the owning organisation
    admin          logged in, a project admin

An answer is an HTTP status (200, 403, 404, 405, 410, ...), LOGIN (302 to the login page),
ADMIN_LOGIN (302 to the administration's login page) or REDIRECT (302 elsewhere).
"""

from __future__ import annotations

import re

ROLES = (
    "anonymous",
    "participant",
    "member",
    "editor",
    "coordinator_other",
    "coordinator",
    "admin",
)

LOGIN = "login"
ADMIN_LOGIN = "admin login"
REDIRECT = "redirect"

Answer = int | str
Row = dict[str, Answer]


def row(
    anonymous: Answer,
    participant: Answer,
    member: Answer,
    editor: Answer,
    coordinator_other: Answer,
    coordinator: Answer,
    admin: Answer,
) -> Row:
    return dict(zip(ROLES, (anonymous, participant, member, editor, coordinator_other,
                            coordinator, admin), strict=True))  # fmt: skip


def everyone(answer: Answer = 200) -> Row:
    return dict.fromkeys(ROLES, answer)


def link(answer: Answer = 200, forged: Answer = 404) -> Row:
    """A private link: whoever holds it gets `answer`; a forged one gets `forged`."""
    return {role: forged if role == "anonymous" else answer for role in ROLES}


def logged_in(answer: Answer = 200) -> Row:
    return row(LOGIN, LOGIN, answer, answer, answer, answer, answer)


def admin_only(answer: Answer = 200) -> Row:
    """Django's administration: everyone else is sent to its own login page."""
    return {role: answer if role == "admin" else ADMIN_LOGIN for role in ROLES}


EXPECTED: dict[str, Row] = {
    # Outside the language prefix: health check, calendar feed, public media, the HSDS read API.
    "healthz": everyone(),
    "programme_ics": everyone(),
    "media": everyone(),
    "hsds:root": everyone(),
    "hsds:profile": everyone(),
    "hsds:openapi": everyone(),
    "hsds:services": everyone(),
    "hsds:service": everyone(),
    "hsds:organizations": everyone(),
    "hsds:organization": everyone(),
    "hsds:taxonomies": everyone(),
    "hsds:taxonomy": everyone(),
    "hsds:taxonomy_terms": everyone(),
    "hsds:taxonomy_term": everyone(),
    "hsds:service_at_locations": everyone(),
    "hsds:service_at_location": everyone(),
    "hsds:not_found": everyone(404),
    # Public pages.
    "site:home": everyone(),
    "site:privacy": everyone(),
    # Accounts: logged-in pages are the person's own; POST-only buttons answer GET with 405.
    "accounts:login": row(200, 200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts:logout": everyone(405),
    "accounts:profile": logged_in(),
    "accounts:logout_everywhere": logged_in(405),
    "accounts:two_factor": logged_in(),
    "accounts:two_factor_disable": logged_in(405),
    "accounts:recovery_codes_renew": logged_in(405),
    "accounts:two_factor_login": everyone(),
    "accounts:password_change": logged_in(),
    "accounts:password_change_done": logged_in(),
    "accounts:password_reset": everyone(),
    "accounts:password_reset_done": everyone(),
    "accounts:password_reset_confirm": everyone(),
    "accounts:password_reset_complete": everyone(),
    # Organisations: coordinators of the organisation (and project admins) manage it.
    "organisations:list": everyone(),
    "organisations:detail": everyone(),
    "organisations:edit": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "organisations:members": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "organisations:membership_change": logged_in(405),
    # Programme: participants reach their registration by its private link; coordinators of
    # an organising organisation manage the activity; any coordinator may create one.
    "programme:list": everyone(),
    "programme:plan": everyone(),
    "programme:registration": link(),
    "programme:registration_cancel": everyone(405),
    "programme:checkin_scan": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_list": logged_in(),
    "programme:manage_create": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "programme:manage_activity": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_edit": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_duplicate": logged_in(405),
    "programme:manage_cancel": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_questions": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_export_csv": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_export_xlsx": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:certificate": link(),
    "programme:certificate_verify": link(),
    "programme:attendance_sheet": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:activity": everyone(),
    "programme:register": everyone(),
    "programme:activity_ics": everyone(),
    "programme:manage_photos": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "programme:manage_photo_file": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    # Support circle: the directory is public; people and messages need an account; the
    # directory is kept by editors and coordinators.
    "circle:directory": everyone(),
    "circle:service": everyone(),
    "circle:people": logged_in(),
    "circle:profile_edit": logged_in(),
    "circle:person": logged_in(),
    "circle:message": logged_in(),
    "circle:suggest": logged_in(),
    "circle:suggest_correction": logged_in(),
    "circle:manage": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "circle:manage_new": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "circle:manage_review": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "circle:manage_suggestions": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "circle:manage_suggestion": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "circle:manage_edit": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "circle:manage_verify": logged_in(405),
    # Stories: editors and coordinators of the teller's organisation; consent withdrawal by link.
    "stories:archive": everyone(),
    "stories:feed": everyone(),
    "stories:export": everyone(),
    "stories:withdraw": link(),
    "stories:manage_list": logged_in(),
    "stories:manage_create": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "stories:manage_book": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "stories:manage_story": row(LOGIN, LOGIN, 403, 200, 403, 200, 200),
    "stories:manage_edit": row(LOGIN, LOGIN, 403, 200, 403, 200, 200),
    "stories:manage_status": logged_in(405),
    "stories:manage_translation": logged_in(405),
    "stories:manage_consent": row(LOGIN, LOGIN, 403, 200, 403, 200, 200),
    "stories:manage_consent_file": row(LOGIN, LOGIN, 403, 404, 403, 404, 404),
    "stories:manage_media_add": row(LOGIN, LOGIN, 403, 200, 403, 200, 200),
    "stories:manage_media_remove": logged_in(405),
    "stories:manage_media_file": row(LOGIN, LOGIN, 403, 200, 403, 200, 200),
    "stories:detail": everyone(),
    "stories:recipe_card": everyone(),
    # Learning: circle-only materials are hidden (404) from visitors; questionnaires by link;
    # results for coordinators of the activity's organisation.
    "learning:list": everyone(),
    "learning:material_create": row(LOGIN, LOGIN, 403, 200, 200, 200, 200),
    "learning:material": row(404, 404, 200, 200, 200, 200, 200),
    "learning:material_file": everyone(),
    "learning:material_edit": row(LOGIN, LOGIN, 403, 200, 403, 200, 200),
    "learning:material_delete": logged_in(405),
    "learning:answer": link(),
    "learning:activity_questionnaires": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "learning:invite": logged_in(405),
    "learning:results": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "learning:results_questionnaire": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "learning:results_csv": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "learning:results_xlsx": row(LOGIN, LOGIN, 403, 403, 403, 200, 200),
    "learning:results_template": row(LOGIN, LOGIN, 404, 404, 404, 200, 200),
    # Coordinators' own questionnaires: a template of the owning organisation, which another
    # organisation's coordinator does not see at all.
    "learning:templates": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "learning:template_create": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "learning:template_edit": row(LOGIN, LOGIN, 403, 403, 404, 200, 200),
    "learning:template_copy": logged_in(405),
    # Reporting: coordinators of the project's partner organisations (both libraries) and admins.
    "reporting:index": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:dashboard": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:export_xlsx": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:export_pdf": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:freeze": logged_in(405),
    "reporting:frozen": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:frozen_xlsx": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:frozen_pdf": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:grant": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:allocations": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:dissemination": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    "reporting:activity_note": row(LOGIN, LOGIN, 403, 403, 200, 200, 200),
    # Personal data requests: the emailed link is the key; a malformed one is a 400.
    "privacy:request": everyone(),
    "privacy:sent": everyone(),
    "privacy:data": link(forged=400),
    "privacy:download": link(forged=400),
    "privacy:erase": link(forged=400),
    "privacy:notice": everyone(),
    # Django's administration: project admins only (model pages follow ADMIN_MODEL_URL below).
    "admin:index": admin_only(200),
    # The administration logs in through the site's login (throttled, with the second step);
    # someone logged in without the right gets 403 (kopa/accounts/admin_login.py).
    "admin:login": row(LOGIN, LOGIN, 403, 403, 403, 403, REDIRECT),
    "admin:logout": row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, 405),
    "admin:password_change": admin_only(200),
    "admin:password_change_done": admin_only(200),
    "admin:autocomplete": admin_only(403),
    "admin:jsi18n": admin_only(200),
    "admin:view_on_site": admin_only(404),
    "admin:app_list": admin_only(200),
    "route:admin/(?P<url>.*)$": admin_only(404),
}

# Django's administration, for project admins only (its own admin_view guard). Each model
# registered there adds five URLs (list, add, change, history, delete); they follow one rule
# rather than a row each: everyone else is sent to the administration's login, and a project
# admin gets the page unless that model's admin withholds the permission (read-only records,
# 403). Other admin URLs have rows of their own in EXPECTED.
ADMIN_MODEL_URL = re.compile(r"^admin:[a-z0-9]+_[a-z0-9]+_(changelist|add|change|history|delete)$")
ADMIN_OBJECT_REDIRECT = re.compile(r"^route:admin/[a-z0-9]+/[a-z0-9]+/<path:object_id>/$")


def has_entry(key: str) -> bool:
    return key in EXPECTED or bool(ADMIN_MODEL_URL.match(key) or ADMIN_OBJECT_REDIRECT.match(key))


def expected_for(key: str) -> Row | None:
    if key in EXPECTED:
        return EXPECTED[key]
    if ADMIN_MODEL_URL.match(key):
        return admin_only(admin_model_answer(key))
    if ADMIN_OBJECT_REDIRECT.match(key):
        # /admin/<app>/<model>/<id>/ forwards a project admin to the change page.
        return admin_only(REDIRECT)
    return None


def admin_model_answer(key: str) -> Answer:
    """What a project admin gets from a model's admin URL, from that ModelAdmin's own rules."""
    from django.contrib import admin
    from django.test import RequestFactory

    from kopa.accounts.models import User

    name = key.split(":", 1)[1]
    view = name.rsplit("_", 1)[1]
    model_admin = next(
        ma
        for model, ma in admin.site._registry.items()
        if name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_")
    )
    request = RequestFactory().get("/")
    request.user = User.objects.filter(is_project_admin=True).first()
    allowed = {
        "changelist": model_admin.has_view_or_change_permission(request),
        "history": model_admin.has_view_or_change_permission(request),
        "change": model_admin.has_view_or_change_permission(request),
        "add": model_admin.has_add_permission(request),
        "delete": model_admin.has_delete_permission(request),
    }[view]
    if not model_admin.model._default_manager.exists() and view in ("change", "history", "delete"):
        return REDIRECT  # no record to show: the admin says so on its index page
    return 200 if allowed else 403


HEADINGS = {
    "anonymous": "anonymous",
    "participant": "participant (link)",
    "member": "member",
    "editor": "editor",
    "coordinator_other": "coordinator, other org.",
    "coordinator": "coordinator, owning org.",
    "admin": "project admin",
}


def markdown_table() -> str:
    """EXPECTED as the table in docs/security.md (a test keeps the two the same)."""
    lines = [
        "| URL name | " + " | ".join(HEADINGS[role] for role in ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for key, answers in EXPECTED.items():
        cells = [str(answers[role]) for role in ROLES]
        lines.append(f"| `{key}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
