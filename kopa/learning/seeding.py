"""Fictional demo content of this domain for `kopa seed --demo`.

A held demo workshop (earlier on the day of the first load, so it lies inside the demo
project's period), its feedback questionnaire with seven made-up responses, the competence
self-assessment with six (the "working in a network" statements answered by only four, to
show that a group under five is withheld), the same six people's pre-test and follow-up linked
by made-up codes (their "before" and "now" ratings), and five materials, two of them good
practices from Finland and Denmark. Everything is created once, matched by slug or title; a
second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from kopa.accounts.models import Organisation
from kopa.core.audit import audit_log
from kopa.learning.models import (
    ActivityQuestionnaire,
    Answer,
    Material,
    QuestionnaireTemplate,
    Response,
    TemplateQuestion,
    Theme,
)
from kopa.learning.services import participant_code_hash
from kopa.learning.shipped import load_shipped_templates
from kopa.programme.models import Activity, ActivityKind, Project, TargetGroup
from kopa.site.seeding import SeedReport

DEMO_PROJECT = "demo-programme-2027"
DEMO_ACTIVITY = "demo-listening-workshop"
FEEDBACK = "activity-feedback"
COMPETENCE = "competence-self-assessment"

# Feedback: overall, useful, language, use (choice index), best, improve.
FEEDBACK_ANSWERS = [
    (5, 5, 4, 0, "The exercise in pairs with an interpreter.", ""),
    (4, 5, 5, 0, "Practising how to ask open questions.", "More time for questions."),
    (5, 4, 3, 1, "", "Slides in Ukrainian too, please."),
    (4, 4, 5, 0, "Hearing how the library in the story works with volunteers.", ""),
    (3, 4, 4, 1, "", "The room was too warm."),
    (5, 5, 5, 0, "Everything.", ""),
    (4, 3, 4, 2, "", ""),
]
# Competence: (before, now) per domain, one pair for every statement of that domain; None: the
# domain was left out (so "network" has 4 respondents and is withheld).
COMPETENCE_ANSWERS = [
    {
        "situation": (2, 4),
        "conversation": (2, 4),
        "stories": (1, 3),
        "intercultural": (3, 4),
        "network": (2, 3),
    },
    {
        "situation": (3, 4),
        "conversation": (3, 4),
        "stories": (2, 4),
        "intercultural": (3, 3),
        "network": (3, 4),
    },
    {
        "situation": (1, 3),
        "conversation": (2, 3),
        "stories": (2, 3),
        "intercultural": (4, 5),
        "network": None,
    },
    {
        "situation": (2, 3),
        "conversation": (1, 3),
        "stories": (3, 4),
        "intercultural": (3, 4),
        "network": (2, 2),
    },
    {
        "situation": (3, 3),
        "conversation": (2, 4),
        "stories": (2, 3),
        "intercultural": (2, 4),
        "network": None,
    },
    {
        "situation": (2, 4),
        "conversation": (3, 5),
        "stories": (1, 4),
        "intercultural": (3, 4),
        "network": (1, 3),
    },
]

L = ("en", "lv", "et", "uk", "ru")


def _t(*texts: str) -> dict[str, str]:
    return dict(zip(L, texts, strict=True))


MATERIALS = [
    {
        "kind": Material.Kind.FILE,
        "theme": Theme.CONVERSATION,
        "title": _t(
            "Conversation cards for a first meeting (demo)",
            "Sarunu kartītes pirmajai tikšanās reizei (demo)",
            "Vestluskaardid esimeseks kohtumiseks (demo)",
            "Картки для розмови на першій зустрічі (демо)",
            "Карточки для разговора на первой встрече (демо)",
        ),
        "summary": _t(
            "Fictional example: twelve open questions to start a calm conversation, printed as "
            "cards.",
            "Izdomāts piemērs: divpadsmit atvērti jautājumi mierīgas sarunas sākšanai, "
            "izdrukājami kā kartītes.",
            "Väljamõeldud näide: kaksteist avatud küsimust rahuliku vestluse alustamiseks, "
            "kaartidena välja trükkimiseks.",
            "Вигаданий приклад: дванадцять відкритих запитань, щоб спокійно почати розмову, "
            "для друку як картки.",
            "Вымышленный пример: двенадцать открытых вопросов, чтобы спокойно начать разговор, "
            "для печати в виде карточек.",
        ),
        "languages": ["lv", "uk", "en"],
        "visibility": Material.Visibility.PUBLIC,
        "licence": "cc-by-4.0",
    },
    {
        "kind": Material.Kind.TEXT,
        "theme": Theme.INTERPRETERS,
        "title": _t(
            "Five rules for talking through an interpreter (demo)",
            "Piecas tulka starpniecības sarunas kārtulas (demo)",
            "Viis reeglit tõlgi vahendusel rääkimiseks (demo)",
            "П’ять правил розмови через перекладача (демо)",
            "Пять правил разговора через переводчика (демо)",
        ),
        "summary": _t(
            "Fictional example: a short checklist from the demo workshop.",
            "Izdomāts piemērs: īss kontrolsaraksts no demo darbnīcas.",
            "Väljamõeldud näide: lühike kontrollnimekiri demo-töötoast.",
            "Вигаданий приклад: короткий контрольний список із демо-семінару.",
            "Вымышленный пример: короткий контрольный список с демо-семинара.",
        ),
        "body": _t(
            "Speak to the person, not to the interpreter.\n\nUse short sentences and pause.\n\n"
            "Agree on confidentiality before you start.\n\nDo not ask the interpreter for "
            "their opinion.\n\nCheck at the end what was understood.",
            "Runājiet ar cilvēku, nevis ar tulku.\n\nLietojiet īsus teikumus un ieturiet "
            "pauzes.\n\nPirms sākat, vienojieties par konfidencialitāti.\n\nNeprasiet tulka "
            "viedokli.\n\nBeigās pārbaudiet, kas tika saprasts.",
            "Rääkige inimesega, mitte tõlgiga.\n\nKasutage lühikesi lauseid ja tehke "
            "pause.\n\nLeppige enne algust kokku konfidentsiaalsuses.\n\nÄrge küsige tõlgi "
            "arvamust.\n\nKontrollige lõpus, mis sai aru.",
            "Говоріть до людини, а не до перекладача.\n\nВживайте короткі речення й робіть "
            "паузи.\n\nДомовтеся про конфіденційність до початку.\n\nНе питайте думки "
            "перекладача.\n\nНаприкінці перевірте, що було зрозуміло.",
            "Говорите с человеком, а не с переводчиком.\n\nИспользуйте короткие предложения и "
            "делайте паузы.\n\nДоговоритесь о конфиденциальности до начала.\n\nНе спрашивайте "
            "мнения переводчика.\n\nВ конце проверьте, что было понято.",
        ),
        "languages": ["en", "lv", "et", "uk", "ru"],
        "visibility": Material.Visibility.PUBLIC,
        "licence": "cc-by-sa-4.0",
    },
    {
        "kind": Material.Kind.LINK,
        "theme": Theme.TRAUMA,
        "title": _t(
            "Trauma-aware welcome at the library desk (demo)",
            "Traumu apzinoša sagaidīšana bibliotēkas letē (demo)",
            "Traumateadlik vastuvõtt raamatukogu letis (demo)",
            "Травмочутливе привітання біля бібліотечної стійки (демо)",
            "Травмочувствительный приём у библиотечной стойки (демо)",
        ),
        "summary": _t(
            "Fictional example: a link to a slide deck shared only within the support circle.",
            "Izdomāts piemērs: saite uz slaidiem, kas pieejami tikai atbalsta lokam.",
            "Väljamõeldud näide: link slaididele, mida jagatakse ainult tugiringis.",
            "Вигаданий приклад: посилання на слайди лише для кола підтримки.",
            "Вымышленный пример: ссылка на слайды только для круга поддержки.",
        ),
        "url": "https://example.org/demo/trauma-aware-welcome",
        "languages": ["en", "uk"],
        "visibility": Material.Visibility.CIRCLE,
        "licence": "all-rights-reserved",
    },
    {
        "kind": Material.Kind.GOOD_PRACTICE,
        "theme": Theme.STORYTELLING,
        "country": "FI",
        "source_organisation": "Demo Lakeside City Library",
        "title": _t(
            "Story circles in a Finnish library (fictional)",
            "Stāstu apļi Somijas bibliotēkā (izdomāts)",
            "Jutuseltsid Soome raamatukogus (väljamõeldud)",
            "Кола історій у фінській бібліотеці (вигадане)",
            "Круги историй в финской библиотеке (вымышленное)",
        ),
        "summary": _t(
            "Fictional good practice: newcomers and local readers meet monthly to tell stories "
            "around one object each brings.",
            "Izdomāta laba prakse: jaunpienācēji un vietējie lasītāji reizi mēnesī satiekas un "
            "stāsta stāstus par līdzpaņemtu priekšmetu.",
            "Väljamõeldud hea tava: uustulnukad ja kohalikud lugejad kohtuvad kord kuus ning "
            "jutustavad lugusid kaasa võetud eseme ümber.",
            "Вигадана добра практика: новоприбулі й місцеві читачі щомісяця зустрічаються й "
            "розповідають історії про принесений предмет.",
            "Вымышленная хорошая практика: новоприбывшие и местные читатели раз в месяц "
            "встречаются и рассказывают истории о принесённом предмете.",
        ),
        "languages": ["en", "fi"],
        "visibility": Material.Visibility.PUBLIC,
        "licence": "cc-by-4.0",
    },
    {
        "kind": Material.Kind.GOOD_PRACTICE,
        "theme": Theme.REFERRAL,
        "country": "DK",
        "source_organisation": "Demo Harbour Town Welcome Desk",
        "title": _t(
            "One welcome desk for all services, Denmark (fictional)",
            "Viens sagaidīšanas punkts visiem pakalpojumiem, Dānija (izdomāts)",
            "Üks vastuvõtulaud kõigile teenustele, Taani (väljamõeldud)",
            "Одна стійка для всіх послуг, Данія (вигадане)",
            "Одна стойка для всех услуг, Дания (вымышленное)",
        ),
        "summary": _t(
            "Fictional good practice: the library hosts a weekly desk where the municipality, "
            "a legal aid group and volunteers refer people to each other.",
            "Izdomāta laba prakse: bibliotēkā reizi nedēļā darbojas punkts, kur pašvaldība, "
            "juridiskās palīdzības grupa un brīvprātīgie novirza cilvēkus cits pie cita.",
            "Väljamõeldud hea tava: raamatukogus on kord nädalas laud, kus omavalitsus, "
            "õigusabirühm ja vabatahtlikud suunavad inimesi üksteise juurde.",
            "Вигадана добра практика: у бібліотеці щотижня працює стійка, де муніципалітет, "
            "юридична група та волонтери скеровують людей одне до одного.",
            "Вымышленная хорошая практика: в библиотеке раз в неделю работает стойка, где "
            "муниципалитет, юридическая группа и волонтёры направляют людей друг к другу.",
        ),
        "languages": ["en", "da"],
        "visibility": Material.Visibility.CIRCLE,
        "licence": "cc-by-nc-4.0",
    },
]

# A one-page PDF, so the demo file material downloads something real.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 24 Tf 72 760 Td (Conversation cards - demo) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def seed_demo() -> SeedReport:
    report = SeedReport(label="Learning (demo)")
    created, updated = load_shipped_templates(QuestionnaireTemplate, TemplateQuestion)
    report.created += created
    report.updated += updated
    project = Project.objects.filter(slug=DEMO_PROJECT).first()
    library = Organisation.objects.filter(slug="valmiera-library").first()
    if project is None or library is None:
        return report
    with transaction.atomic():
        activity = _activity(project, library, report)
        _questionnaires(activity, report)
        _linked_questionnaires(activity, report)
        _materials(project, library, activity, report)
        if report.created:
            audit_log(action="learning.seed.demo_loaded", target=activity, data=report.counts())
    return report


def _activity(project: Project, library: Organisation, report: SeedReport) -> Activity:
    activity = Activity.objects.filter(slug=DEMO_ACTIVITY).first()
    if activity is not None:
        report.unchanged += 1
        return activity
    now = timezone.now().replace(second=0, microsecond=0)
    kind = ActivityKind.objects.filter(code="workshop").first() or ActivityKind.objects.first()
    activity = Activity.objects.create(
        project=project,
        kind=kind,
        slug=DEMO_ACTIVITY,
        title=_t(
            "Listening workshop (demo)",
            "Klausīšanās darbnīca (demo)",
            "Kuulamise töötuba (demo)",
            "Семінар про вміння слухати (демо)",
            "Семинар об умении слушать (демо)",
        ),
        original_language="en",
        country="LV",
        time_zone="Europe/Riga",
        planned_start=timezone.localdate(now),
        planned_end=timezone.localdate(now),
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
        status=Activity.Status.HELD,
        position=90,
        is_demo=True,
    )
    activity.organisers.set([library])
    activity.target_groups.set(TargetGroup.objects.filter(code__in=["librarians", "volunteers"]))
    report.created += 1
    return activity


def _questionnaires(activity: Activity, report: SeedReport) -> None:
    closes = (activity.ends_at or timezone.now()) + dt.timedelta(days=365)
    for code, rows in ((FEEDBACK, FEEDBACK_ANSWERS), (COMPETENCE, COMPETENCE_ANSWERS)):
        template = QuestionnaireTemplate.objects.get(code=code)
        questionnaire, created = ActivityQuestionnaire.objects.get_or_create(
            activity=activity,
            template=template,
            phase=ActivityQuestionnaire.Phase.AFTER,
            defaults={"closes_at": closes},
        )
        if not created:
            report.unchanged += 1
            continue
        report.created += 1
        questions = list(template.questions.order_by("position"))
        for index, row in enumerate(rows):
            response = Response.objects.create(
                questionnaire=questionnaire,
                language=("lv", "uk", "en", "et", "ru")[index % 5],
                is_demo=True,
            )
            Answer.objects.bulk_create(_answers(response, questions, row))
            report.created += 1


def _linked_questionnaires(activity: Activity, report: SeedReport) -> None:
    """The demo's pre-test and follow-up, on the workshop itself for brevity: each person's
    "before" ratings as their pre-test, "now" as their follow-up, the same code in both."""
    closes = (activity.ends_at or timezone.now()) + dt.timedelta(days=365)
    template = QuestionnaireTemplate.objects.get(code=COMPETENCE)
    questions = list(template.questions.filter(kind=TemplateQuestion.Kind.RETRO))
    for phase, side in (
        (ActivityQuestionnaire.Phase.PRE, 0),
        (ActivityQuestionnaire.Phase.FOLLOWUP, 1),
    ):
        questionnaire, created = ActivityQuestionnaire.objects.get_or_create(
            activity=activity, template=template, phase=phase, defaults={"closes_at": closes}
        )
        if not created:
            report.unchanged += 1
            continue
        report.created += 1
        for index, row in enumerate(COMPETENCE_ANSWERS):
            response = Response.objects.create(
                questionnaire=questionnaire,
                participant_code_hash=participant_code_hash(f"demo-{index}"),
                language=("lv", "uk", "en", "et", "ru")[index % 5],
                is_demo=True,
            )
            Answer.objects.bulk_create(
                Answer(response=response, question=question, value=row[question.domain][side])
                for question in questions
                if row.get(question.domain) is not None
            )
            report.created += 1


def _answers(response: Response, questions: list[TemplateQuestion], row: object) -> list[Answer]:
    answers = []
    if isinstance(row, tuple):
        for question, value in zip(questions, row, strict=True):
            if value in ("", None):
                continue
            if isinstance(value, str):
                answers.append(Answer(response=response, question=question, text=value))
            else:
                answers.append(Answer(response=response, question=question, value=value))
        return answers
    assert isinstance(row, dict)
    for question in questions:
        pair = row.get(question.domain)
        if question.kind != TemplateQuestion.Kind.RETRO or pair is None:
            continue
        answers.append(Answer(response=response, question=question, before=pair[0], value=pair[1]))
    return answers


def _materials(
    project: Project, library: Organisation, activity: Activity, report: SeedReport
) -> None:
    from kopa.learning.services import index_material

    groups = list(TargetGroup.objects.filter(code__in=["librarians", "volunteers"]))
    # Matched by English title among the project's few materials (in Python: JSON lookups differ
    # between SQLite and PostgreSQL).
    known = {m.title.get("en") for m in Material.objects.filter(project=project)}
    for item in MATERIALS:
        title = item["title"]
        if title["en"] in known:
            report.unchanged += 1
            continue
        material = Material(
            project=project,
            organisation=library,
            activity=activity if item["kind"] in (Material.Kind.FILE, Material.Kind.TEXT) else None,
            original_language="en",
            **item,
        )
        if material.kind == Material.Kind.FILE:
            material.file_key = uuid.uuid4().hex
            material.file_name = "conversation-cards-demo.pdf"
            material.file_type = "application/pdf"
            material.file_size = len(DEMO_PDF)
            default_storage.save(material.storage_name, ContentFile(DEMO_PDF))
        material.full_clean()
        material.save()
        material.target_groups.set(groups)
        transaction.on_commit(lambda m=material: index_material(m))
        report.created += 1
