# ruff: noqa: E501
"""The curated multilingual vocabulary of the search: service concepts, places, stop words.

It is about the domain (help for people in crisis and war refugees in Latvia and Estonia), never
about particular records: a concept is what people ask for ("a lawyer", "free", "food package",
"night shelter"), written the way each language says it. At index time every phrase is
lemmatized in its language and every document is tagged with the concepts it mentions; at query
time the words of a query, in any of the five languages, find the same concepts. So a Ukrainian
"безкоштовна юридична допомога" meets a Latvian "bezmaksas juridiskā konsultācija".

Format of DATA below (parsed by `load()`):

    [code]        the concepts that follow belong to this taxonomy category (the code of a term of
                  the shared taxonomy); [-] for concepts of no category
    id = lv: a, b | et: … | en: … | uk: … | ru: …
    id < parent = …  a narrower concept: a document about a family doctor is also about a doctor
                  a concept and its phrases per language, separated by commas. All words of a
                  phrase must occur (in a query anywhere, in a document close together). A word
                  ending in * is a prefix, for compounds (et `toidu*` → toidupakk, toiduabi).
    [place]       places: `id < parent = names in any language` (a town inside a region inside a
                  country, so "Hiiumaa" finds Kärdla and "Латвія" finds Valmiera)
    [stop] lv: …  words that carry no meaning in a query (question words, prepositions)
    [generic] …   words too general to decide anything ("help", "get"): kept, weighed low

Add a concept when a real query fails for want of it; keep it general (no names of services or
organisations), and give it in all five languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

LANGUAGES = ("lv", "et", "en", "uk", "ru")

DATA = """
# ---------------------------------------------------------------- cross-cutting (no category)
[-]
free = lv: bezmaksas, bez maksas, par brīvu, nav jāmaksā, valsts apmaksāts | et: tasuta, ei maksa, tasuta teenus | en: free, free of charge, no cost, no charge | uk: безкоштовний, безкоштовно, безплатний, безплатно, задарма | ru: бесплатный, бесплатно, даром, безвозмездно
cheap = lv: lēts, lēti, zemāka cena, zema cena, atlaide, pazemināta cena | et: odav, odavalt, soodus*, allahindlus, madal hind | en: cheap, discount, low price, reduced price, affordable | uk: дешевий, дешево, знижка, недорогий, недорого | ru: дешевый, дешево, скидка, недорогой, недорого
phone = lv: tālrunis, telefons, piezvanīt, zvanīt, pa tālruni | et: telefon, telefoni teel, helistama | en: phone, telephone, call, by phone | uk: телефон, телефоном, телефонувати, подзвонити | ru: телефон, по телефону, позвонить, звонить
online = lv: tiešsaiste, tiešsaistē, attālināti, videozvans | et: veebis, videokõne, veebipõhine, internetis | en: online, video call, remote | uk: онлайн, відеодзвінок, дистанційно | ru: онлайн, видеозвонок, дистанционно
child = lv: bērns, bērnu | et: laps, lapsed | en: child, children, kid, kids | uk: дитина, діти, дитячий | ru: ребенок, дети, детский
teenager = lv: pusaudzis, jaunietis, jaunieši, skolēns | et: noor*, teismeline, nooruk | en: teenager, teen, teens, adolescent, young people, youth | uk: підліток, підлітковий, молодь, юнак | ru: подросток, подростковый, молодежь, юноша
toddler = lv: mazulis, zīdainis, mazs bērns, pirmsskolas | et: väikelaps, beebi, imik, mudilane, väike laps | en: toddler, baby, infant, little child | uk: малюк, немовля, маленька дитина | ru: малыш, младенец, маленький ребенок
parent = lv: vecāki, vecāks, māte, tēvs, mamma | et: vanem, lapsevanem, ema, isa | en: parent, parents, mother, father, mum | uk: батьки, мама, батько, мати | ru: родители, мама, отец, мать
family = lv: ģimene | et: pere, perekond | en: family, families | uk: сім'я, родина, сімейний | ru: семья, семейный
adult = lv: pieaugušais, pieaugušie | et: täiskasvanu | en: adult, adults, grown-up | uk: дорослий | ru: взрослый
senior = lv: seniors, pensionārs, vecāka gadagājuma | et: eakas, pensionär, vanur | en: senior, elderly, pensioner | uk: пенсіонер, літній, людина похилого віку | ru: пенсионер, пожилой
woman = lv: sieviete | et: naine | en: woman, women | uk: жінка | ru: женщина
man = lv: vīrietis | et: mees, mehed | en: man, men | uk: чоловік, чоловіки | ru: мужчина
university-student = lv: students, studente, studijas | et: üliõpilane, tudeng | en: student, students, university | uk: студент, студентка, університет | ru: студент, студентка, университет
refugee = lv: bēglis, patvēruma meklētājs, civiliedzīvotājs | et: põgenik, sõjapõgenik, ajutise kaitse saaja | en: refugee, displaced person, newcomer | uk: біженець, переселенець, біженка | ru: беженец, беженка, переселенец
ukrainian = lv: ukrainis, ukrainiete, ukraiņu, ukrainiski, ukraiņu valoda, Ukraina | et: ukrainlane, ukraina keel, ukraina, Ukraina | en: Ukrainian, Ukraine | uk: український, українець, українка, українською, українська мова, Україна | ru: украинский, украинец, украинка, по-украински, украинский язык, Украина
russian-language = lv: krievu valoda, krieviski | et: vene keel, vene keeles | en: Russian | uk: російська мова, російською | ru: русский язык, по-русски, русскоговорящий
latvian-language = lv: latviešu valoda, latviski, latviešu | et: läti keel, läti keele | en: Latvian | uk: латиська мова, латиська, латиської | ru: латышский язык, латышский, латышского
estonian-language = lv: igauņu valoda, igauniski | et: eesti keel, eesti keele | en: Estonian | uk: естонська мова, естонська, естонської | ru: эстонский язык, эстонский, эстонского
english-language = lv: angļu valoda, angliski | et: inglise keel | en: English | uk: англійська мова, англійською | ru: английский язык, по-английски
weekend = lv: sestdiena, svētdiena, brīvdienas | et: laupäev, pühapäev, nädalavahetus | en: weekend, saturday, sunday | uk: вихідні, субота, неділя | ru: выходные, суббота, воскресенье
evening = lv: vakars, vakarā | et: õhtu, õhtul | en: evening | uk: вечір, ввечері | ru: вечер, вечером
night = lv: nakts, naktī, diennakts | et: öö, öösel, ööpäev läbi | en: night, overnight, 24 hours, around the clock | uk: ніч, вночі, цілодобово | ru: ночь, ночью, круглосуточно
appointment = lv: pieraksts, pierakstīties, pieteikties, vizīte, pieņemšana | et: vastuvõtt, aja kinni panema, registreerimine, visiit | en: appointment, book, booking, visit | uk: запис, записатися, прийом, візит | ru: запись, записаться, прием, визит
without-appointment = lv: bez pieraksta, bez iepriekšēja pieraksta | et: ilma eelregistreerimiseta, ilma etteteatamiseta, ilma registreerimiseta | en: without appointment, without registration, walk-in, without booking | uk: без запису, без реєстрації | ru: без записи, без регистрации
documents = lv: dokuments, dokumenti, veidlapa, iesniegums, izziņa | et: dokument, paber, taotlus, avaldus, vorm | en: document, documents, form, paperwork | uk: документ, документи, заява, довідка, бланк | ru: документ, документы, заявление, справка, бланк
apply = lv: pieprasīt, noformēt, pieteikties, iesniegt, pieprasīšana | et: taotlema, taotlemine, esitama, vormistama | en: apply, application, claim | uk: оформити, оформлення, подати, подача | ru: оформить, оформление, подать, подача
consultation = lv: konsultācija, konsultēt, konsultants, padoms | et: nõustamine, nõu, nõustaja, konsultatsioon | en: advice, consultation, counselling, counseling, adviser | uk: консультація, порада, консультант | ru: консультация, совет, консультант

# ---------------------------------------------------------------- legal aid
[legal-aid]
lawyer = lv: jurists, juriste, advokāts, juridiskā konsultācija, juridisks, tiesības, juridiskā palīdzība, juridiskā klīnika | et: jurist, advokaat, õigusnõu, õigusabi, õigusnõustamine, juriidiline, õigus*, õigusalane | en: lawyer, attorney, solicitor, legal, legal advice, legal aid, law, legal clinic | uk: юрист, адвокат, юридичний, правовий, юридична консультація, правова допомога, юридична допомога | ru: юрист, адвокат, юридический, правовой, юридическая консультация, правовая помощь, юридическая помощь
court = lv: tiesa, prāva | et: kohus, kohtuasi | en: court, lawsuit, case | uk: суд, судовий | ru: суд, судебный
consumer-rights = lv: patērētāju tiesības, patērētājs | et: tarbija*, tarbijaõigus | en: consumer rights, consumer | uk: права споживачів, споживач | ru: права потребителей, потребитель
rental-dispute = lv: īres strīds, īres līgums, īrnieks | et: üürivaidlus, üürileping, üürnik | en: rental dispute, lease, tenancy, tenant | uk: договір оренди, орендар, спір з орендодавцем | ru: договор аренды, арендатор, спор с арендодателем
labour-rights = lv: darba līgums, darba tiesības, darba samaksa | et: tööleping, tööõigus, töötasu | en: employment contract, labour rights, wages, unpaid wages | uk: трудовий договір, трудові права, зарплата | ru: трудовой договор, трудовые права, зарплата
debt = lv: parāds, parādi | et: võlg, võlad | en: debt, debts | uk: борг, борги | ru: долг, долги
family-law = lv: šķiršanās, uzturlīdzekļi, alimenti, aizgādība | et: lahutus, elatis, perekonnaasi, hooldusõigus | en: divorce, alimony, child support, custody | uk: розлучення, аліменти, опіка | ru: развод, алименты, опека
notary = lv: notārs, pilnvara | et: notar, volikiri | en: notary, power of attorney | uk: нотаріус, довіреність | ru: нотариус, доверенность

# ---------------------------------------------------------------- housing
[housing]
housing = lv: mājoklis, dzīvoklis, dzīvesvieta, māja, istaba | et: eluase, korter, elukoht, tuba, kodu | en: housing, home, flat, apartment, room, place to live | uk: житло, квартира, кімната, будинок | ru: жилье, квартира, комната, дом
rent = lv: īre, īrēt, izīrēt, īres dzīvoklis, īres mājoklis | et: üür, üürima, üürikorter, üürile | en: rent, rental, renting, to let | uk: оренда, орендувати, винайняти, зняти квартиру, орендне | ru: аренда, арендовать, снять, съем, снять квартиру
landlord = lv: izīrētājs, namīpašnieks | et: üürileandja, omanik | en: landlord, owner | uk: орендодавець, власник | ru: арендодатель, хозяин, собственник
shelter < accommodation = lv: patversme, naktspatversme, nakts patversme, pajumte, naktsmājas | et: öömaja, varjupaik, peavari, varjupaigas | en: shelter, night shelter, homeless shelter, hostel | uk: притулок, нічліжка, нічліг, ночівля, переночувати | ru: приют, ночлежка, ночлег, ночевка, переночевать
homeless = lv: bezpajumtnieks, bez pajumtes, bezpajumtniece, bez mājokļa | et: kodutu, kodutud | en: homeless, homelessness | uk: бездомний, безпритульний, безхатько | ru: бездомный, бомж, бездомные
crisis-flat < housing = lv: krīzes dzīvoklis, pagaidu mājoklis, krīzes centrs | et: kriisikorter, ajutine eluase, ajutine majutus, turvakodu | en: crisis flat, crisis apartment, emergency housing, temporary accommodation, temporary housing | uk: кризова квартира, тимчасове житло, тимчасове поселення | ru: кризисная квартира, временное жилье, временное жилище
accommodation = lv: izmitināšana, naktsmītne, apmešanās | et: majutus, majutuskoht | en: accommodation, lodging, place to stay | uk: поселення, проживання, розміщення | ru: размещение, проживание, поселение
utilities = lv: komunālie maksājumi, komunālie pakalpojumi, drošības nauda, īres depozīts | et: kommunaalkulud, kommunaalmaksed, tagatisraha | en: utility bills, utilities, deposit | uk: комунальні послуги, комуналка, застава, депозит | ru: коммунальные услуги, коммуналка, залог, депозит
eviction = lv: izlikšana, izlikt | et: väljatõstmine | en: eviction, evicted | uk: виселення | ru: выселение

# ---------------------------------------------------------------- health care
[health-care]
doctor = lv: ārsts, ārste, daktere, dakteris, mediķis | et: arst, doktor | en: doctor, physician, medic | uk: лікар, лікарка, доктор | ru: врач, доктор
family-doctor < doctor = lv: ģimenes ārsts, ģimenes ārste, ģimenes ārsta prakse | et: perearst, perearstikeskus, pere arst | en: family doctor, GP, general practitioner | uk: сімейний лікар, терапевт | ru: семейный врач, терапевт, участковый врач
paediatrician < doctor = lv: pediatrs, pediatre, bērnu ārsts | et: lastearst, pediaater | en: paediatrician, pediatrician, children's doctor | uk: педіатр, дитячий лікар | ru: педиатр, детский врач
dentist < doctor = lv: zobārsts, zobārste, zobi | et: hambaarst, hammas | en: dentist, dental, teeth, toothache | uk: стоматолог, зубний лікар, зуби | ru: стоматолог, зубной врач, зубы
hospital = lv: slimnīca, uzņemšanas nodaļa, neatliekamā palīdzība, ātrā palīdzība | et: haigla, erakorralise meditsiini osakond, kiirabi, EMO | en: hospital, emergency room, ambulance | uk: лікарня, швидка допомога, приймальне відділення | ru: больница, скорая помощь, приемный покой
patient = lv: pacients, pacienti | et: patsient | en: patient, patients | uk: пацієнт | ru: пациент
illness = lv: slimība, slims, temperatūra, drudzis, klepus, sāpes | et: haigus, haige, palavik, köha, valu | en: illness, sick, fever, cough, pain | uk: хвороба, хворий, температура, кашель, біль | ru: болезнь, больной, температура, кашель, боль
vaccination = lv: vakcinācija, pote, potēšana | et: vaktsineerimine, vaktsiin | en: vaccination, vaccine, jab | uk: вакцинація, щеплення | ru: прививка, вакцинация
pregnancy = lv: grūtniecība, grūtniece, dzemdības, vecmāte | et: rasedus, rase, sünnitus, ämmaemand | en: pregnancy, pregnant, birth, midwife | uk: вагітність, вагітна, пологи, акушерка | ru: беременность, беременная, роды, акушерка
pharmacy = lv: aptieka, zāles, recepte | et: apteek, ravim, retsept | en: pharmacy, medicine, prescription | uk: аптека, ліки, рецепт | ru: аптека, лекарство, рецепт
disability = lv: invaliditāte, invalīds | et: puue, puudega | en: disability, disabled | uk: інвалідність, інвалід | ru: инвалидность, инвалид
health-insurance = lv: veselības apdrošināšana, valsts apmaksāts | et: ravikindlustus, haigekassa | en: health insurance | uk: медичне страхування, медична страховка | ru: медицинская страховка, медицинское страхование
referral = lv: nosūtījums | et: saatekiri | en: referral | uk: направлення | ru: направление

# ---------------------------------------------------------------- mental health
[mental-health]
psychologist = lv: psihologs, psiholoģe, psihoterapeits, psihoterapija, psiholoģisks | et: psühholoog, psühhoterapeut, psühhoteraapia, psühholoogiline | en: psychologist, psychotherapist, therapist, therapy, psychological | uk: психолог, психотерапевт, психотерапія, психологічний | ru: психолог, психотерапевт, психотерапия, психологический
crisis-counselling < psychologist = lv: krīzes konsultācija, krīzes psihologs, krīzes atbalsts | et: kriisinõustamine, kriisinõustaja, kriisiabi | en: crisis counselling, crisis support, crisis counseling | uk: кризове консультування, кризова підтримка | ru: кризисное консультирование, кризисная поддержка
trauma = lv: trauma, stress, pārdzīvojums, pārdzīvot | et: trauma, stress, traumaatiline | en: trauma, stress, ptsd, traumatic | uk: травма, стрес, пережити | ru: травма, стресс, пережить
anxiety = lv: trauksme, bailes, depresija, raudāt, iztukšots | et: ärevus, hirm, depressioon, mure | en: anxiety, fear, depression, worry | uk: тривога, страх, депресія | ru: тревога, страх, депрессия
sleep-problems = lv: miega traucējumi, bezmiegs, nevar gulēt | et: unetus, unehäire, ei saa magada | en: insomnia, sleep problems, cannot sleep | uk: безсоння, проблеми зі сном | ru: бессонница, проблемы со сном
grief = lv: zaudējums, sēras, tuvinieka nāve | et: lein, kaotus, lähedase surm | en: grief, loss, bereavement | uk: горе, втрата | ru: горе, утрата
addiction = lv: atkarība, alkohols | et: sõltuvus, alkohol | en: addiction, alcohol | uk: залежність, алкоголь | ru: зависимость, алкоголь
mental-health = lv: garīgā veselība, psihiskā veselība | et: vaimne tervis | en: mental health | uk: психічне здоров'я, ментальне здоров'я | ru: психическое здоровье, ментальное здоровье

# ---------------------------------------------------------------- language courses
[language-courses]
language-course = lv: valodas kursi, valodas kurss, kursi, kurss, nodarbības, stunda | et: keelekursus, kursus, keeletund, tund, keeleõpe | en: language course, course, lessons, classes, class | uk: мовні курси, курси, курс, уроки, заняття | ru: языковые курсы, курсы, курс, уроки, занятия
learn = lv: mācīties, apgūt, mācības, apmācība | et: õppima, õpe, õpetama, õppimine | en: learn, learning, study, studying | uk: вивчати, вчити, навчання, вивчення | ru: изучать, учить, обучение, изучение
language = lv: valoda, valodas | et: keel | en: language | uk: мова | ru: язык
language-level = lv: līmenis, a1, a2, b1, b2, c1, iesācēji | et: tase, tasemel, a1, a2, b1, b2, c1, algajad | en: level, a1, a2, b1, b2, c1, beginners | uk: рівень, a1, a2, b1, b2, c1, початківці | ru: уровень, a1, a2, b1, b2, c1, начинающие
language-tandem < language-course = lv: valodu tandēms, tandēms, sarunu klubs, sarunu grupa | et: keeletandem, tandem, keelekohvik, vestlusklubi | en: tandem, language exchange, conversation club | uk: мовний тандем, тандем, розмовний клуб | ru: языковой тандем, тандем, разговорный клуб
intensive = lv: intensīvs, intensīvais | et: intensiiv* | en: intensive, fast-track | uk: інтенсивний, інтенсив | ru: интенсивный, интенсив
teacher = lv: skolotājs, pasniedzējs | et: õpetaja | en: teacher, tutor | uk: вчитель, викладач | ru: учитель, преподаватель
exam = lv: eksāmens, valsts valodas eksāmens | et: eksam, tasemeeksam | en: exam, test, certificate | uk: іспит, екзамен | ru: экзамен

# ---------------------------------------------------------------- employment
[employment]
job = lv: darbs, vakance, darba vieta, darbā, strādāt, darbinieks | et: töö, töökoht, tööpakkumine, vaba töökoht, töötama | en: job, work, vacancy, vacancies, employment, hiring | uk: робота, вакансія, працювати, працевлаштування | ru: работа, вакансия, работать, трудоустройство
job-search < job = lv: darba meklēšana, darba meklētājs, meklēt darbu | et: tööotsing, tööotsija, tööd otsima | en: job search, job seeker, looking for work, find a job | uk: пошук роботи, шукати роботу, знайти роботу | ru: поиск работы, искать работу, найти работу
cv = lv: cv, dzīves gājums, motivācijas vēstule | et: cv, elulookirjeldus, motivatsioonikiri | en: cv, resume, cover letter | uk: резюме, мотиваційний лист | ru: резюме, мотивационное письмо
job-interview = lv: darba intervija, darba pārrunas | et: tööintervjuu | en: job interview, interview | uk: співбесіда | ru: собеседование
career = lv: karjera, karjeras konsultants | et: karjäär, karjäärinõustamine | en: career, career counselling | uk: кар'єра, профорієнтація | ru: карьера, профориентация
factory = lv: ražotne, rūpnīca, ražošana, noliktava | et: tehas, tootmine, ladu | en: factory, manufacturing, production, warehouse | uk: виробництво, завод, фабрика, склад | ru: производство, завод, фабрика, склад
manual-worker = lv: palīgstrādnieks, galdnieks, iepakotājs, apkopējs, pavārs, šoferis | et: abitööline, tisler, pakkija, koristaja, kokk | en: labourer, carpenter, packer, cleaner, cook, worker | uk: різноробочий, столяр, пакувальник, прибиральник, кухар | ru: разнорабочий, столяр, упаковщик, уборщик, повар
training = lv: apmācība, apmācām, kvalifikācija, pārkvalifikācija | et: väljaõpe, koolitus, ümberõpe | en: training, on-the-job training, retraining | uk: навчання на місці, перекваліфікація | ru: обучение на месте, переквалификация
unemployment = lv: bezdarbnieks, bezdarbs, nodarbinātības valsts aģentūra, nva | et: töötu, töötus, töötukassa | en: unemployed, unemployment, jobcentre | uk: безробітний, центр зайнятості | ru: безработный, центр занятости
business = lv: uzņēmējdarbība, uzņēmums, savs bizness | et: ettevõtlus, ettevõte, oma firma | en: business, start a business, self-employed, entrepreneur | uk: підприємництво, бізнес, свій бізнес | ru: предпринимательство, бизнес, свой бизнес
salary = lv: alga, atalgojums | et: palk | en: salary, wage, pay | uk: зарплата, заробіток | ru: зарплата, заработок

# ---------------------------------------------------------------- children and schooling
[children-schooling]
school = lv: skola, skolēns, skolā | et: kool, õpilane | en: school, pupil | uk: школа, школяр, учень | ru: школа, школьник, ученик
childcare = lv: bērnudārzs, pirmsskola, bērnu aprūpe, bērnu pieskatīšana, aukle, bērnu istaba | et: lasteaed, lastehoid, lapsehoid, lapsehoidja, lastehoiukoht | en: kindergarten, childcare, daycare, nursery, babysitter, child care | uk: дитячий садок, садочок, садок, догляд за дітьми, няня | ru: детский сад, садик, уход за детьми, няня, присмотр за детьми
play-group = lv: rotaļu grupa, rotaļas, rotaļāties, spēlēties, rotaļnodarbība | et: mängurühm, mänguring, mängutuba, mängima, mäng | en: play group, playgroup, play | uk: ігрова група, гратися, гра, ігри | ru: игровая группа, играть, игра, игры
homework = lv: mājasdarbi, mācību palīdzība, mācību atbalsts | et: koduülesanne, õpiabi, kodutöö | en: homework, tutoring, study help | uk: домашнє завдання, репетитор | ru: домашнее задание, репетитор
camp = lv: nometne, vasaras nometne | et: laager, suvelaager | en: camp, summer camp | uk: табір, літній табір | ru: лагерь, летний лагерь
hobby-group = lv: pulciņš, interešu izglītība, kolektīvs | et: huviring, huvikool, ring | en: club, hobby group, after-school club | uk: гурток, секція, колектив | ru: кружок, секция, коллектив
youth-centre = lv: jauniešu centrs | et: noortekeskus | en: youth centre, youth center, youth club | uk: молодіжний центр | ru: молодежный центр
enrolment = lv: uzņemšana, reģistrēt skolā, pieteikt skolā | et: kooli registreerimine, vastuvõtt kooli | en: enrolment, enrollment, enrol | uk: зарахування, вступ, записати до школи | ru: зачисление, поступление, записать в школу

# ---------------------------------------------------------------- documents and residence status
[documents-residence]
personal-code = lv: personas kods | et: isikukood | en: personal code, personal identity number, identity number | uk: персональний код, ідентифікаційний код, ідентифікаційний номер | ru: персональный код, идентификационный код, личный код
residence-permit = lv: uzturēšanās atļauja, termiņuzturēšanās atļauja, pastāvīgā uzturēšanās | et: elamisluba, elamisõigus | en: residence permit, residence status, residency | uk: посвідка на проживання, дозвіл на проживання, посвідка, внж | ru: вид на жительство, внж, разрешение на проживание, вид на жительство
temporary-protection = lv: pagaidu aizsardzība, civiliedzīvotāja statuss, bēgļa statuss | et: ajutine kaitse, rahvusvaheline kaitse | en: temporary protection, refugee status, protection status | uk: тимчасовий захист, статус біженця | ru: временная защита, статус беженца
id-card = lv: personas apliecība, eid karte, id karte, pase, ceļošanas dokuments | et: id kaart, isikutunnistus, pass, dokument | en: id card, identity card, passport, id | uk: id картка, айді картка, посвідчення особи, паспорт, id | ru: id карта, удостоверение личности, паспорт, id
address-registration = lv: dzīvesvietas deklarēšana, deklarēt dzīvesvietu, dzīvesvietas deklarācija | et: elukoha registreerimine, elukoht registreerima, rahvastikuregister | en: address registration, register address, registration of residence | uk: реєстрація місця проживання, прописка, реєстрація адреси | ru: регистрация по месту жительства, прописка, регистрация адреса
migration-office = lv: pmlp, pilsonības un migrācijas lietu pārvalde, migrācijas | et: politsei- ja piirivalveamet, ppa, migratsioon | en: migration office, immigration office, immigration, migration | uk: міграційна служба, міграційний, імміграційний | ru: миграционная служба, миграционный, иммиграционный
bank-account = lv: bankas konts, banka | et: pangakonto, pank | en: bank account, bank | uk: банківський рахунок, банк, рахунок | ru: банковский счет, банк, счет
driving-licence = lv: autovadītāja apliecība, vadītāja apliecība | et: juhiluba, juhtimisõigus | en: driving licence, driver's license | uk: посвідчення водія, водійські права | ru: водительские права, водительское удостоверение
extend = lv: pagarināt, pārreģistrēt, atjaunot | et: pikendama, pikendamine | en: extend, renew, extension | uk: продовжити, продовження | ru: продлить, продление
citizenship = lv: pilsonība, naturalizācija | et: kodakondsus | en: citizenship, naturalisation | uk: громадянство | ru: гражданство

# ---------------------------------------------------------------- financial aid and social benefits
[financial-aid]
benefit = lv: pabalsts, pabalsti, sociālais pabalsts, atbalsts naudā | et: toetus, toetused, sotsiaaltoetus, hüvitis | en: benefit, benefits, allowance, social assistance | uk: виплата, соціальна виплата, соціальна допомога, допомога від держави, пільги | ru: пособие, выплата, социальное пособие, социальная помощь, льготы
minimum-income < benefit = lv: garantētais minimālais ienākums, gmi, trūcīgs, maznodrošināts, trūcīgas personas statuss | et: toimetulekutoetus, toimetulek, vähekindlustatud | en: minimum income, subsistence benefit, low income, means-tested | uk: малозабезпечений, прожитковий мінімум, малозабезпечені | ru: малоимущий, малообеспеченный, прожиточный минимум
family-benefit < benefit = lv: ģimenes valsts pabalsts, bērna kopšanas pabalsts, bērnu nauda | et: peretoetus, lapsetoetus, vanemahüvitis | en: child benefit, family allowance, family benefit | uk: допомога на дитину, дитячі виплати | ru: детское пособие, пособие на ребенка
housing-benefit < benefit = lv: mājokļa pabalsts, dzīvokļa pabalsts | et: eluasemetoetus | en: housing benefit, rent subsidy | uk: субсидія, житлова субсидія | ru: субсидия, жилищная субсидия
pension = lv: pensija | et: pension | en: pension | uk: пенсія | ru: пенсия
money = lv: nauda, finansiāls atbalsts, vienreizējs pabalsts | et: raha, rahaline abi, ühekordne toetus | en: money, cash, grant, financial support | uk: гроші, фінансова допомога, грошова допомога | ru: деньги, финансовая помощь, денежная помощь
social-services = lv: sociālais dienests, sociālā darbiniece, sociālais darbinieks | et: sotsiaaltöötaja, sotsiaalosakond, sotsiaaltöö | en: social worker, social services, welfare office | uk: соціальний працівник, соціальна служба, соцзахист | ru: социальный работник, социальная служба, соцзащита

# ---------------------------------------------------------------- food, clothing and material aid
[food-clothing]
food = lv: pārtika, ēdiens, produkti, pārtikas | et: toit, toidu*, toiduained | en: food, groceries, grocery | uk: їжа, продукти, продуктовий, харчування | ru: еда, продукты, продуктовый, питание
food-package < food = lv: pārtikas paka, pārtikas pakas, paka, pārtikas banka, pārtikas komplekts | et: toidupakk, toiduabi, toidupank, pakk | en: food package, food parcel, food bank, food aid | uk: продуктовий набір, продуктові набори, продуктовий пакет, продуктова допомога, гуманітарка, гуманітарна допомога | ru: продуктовый набор, продуктовый пакет, продуктовая помощь, гуманитарка, гуманитарная помощь
hot-meal < food = lv: zupas virtuve, silta maltīte, maltīte, pusdienas, vakariņas, brokastis, ēst, paēst | et: supiköök, soe toit, söök, lõuna, lõunasöök, õhtusöök, hommikusöök, sööma, süüa | en: soup kitchen, hot meal, meal, lunch, dinner, breakfast, eat | uk: гаряча їжа, обід, вечеря, сніданок, їсти, поїсти, харчуватися, безкоштовне харчування | ru: горячее питание, обед, ужин, завтрак, поесть, покушать, питаться, бесплатное питание
clothes = lv: apģērbs, drēbes, apavi | et: riided, rõivad, jalanõud | en: clothes, clothing, shoes | uk: одяг, взуття | ru: одежда, обувь
charity-shop = lv: sociālais veikals, labdarības veikals, lietoto preču veikals, veikals | et: sotsiaalpood, heategevuspood, taaskasutuskeskus, kasutatud | en: charity shop, social shop, second hand, thrift shop | uk: соціальний магазин, секонд-хенд, благодійний магазин | ru: социальный магазин, секонд-хенд, благотворительный магазин
hygiene = lv: higiēnas preces, higiēna | et: hügieenitarbed, hügieen | en: hygiene products, toiletries, hygiene | uk: засоби гігієни, гігієна | ru: средства гигиены, гигиена
household-goods = lv: mēbeles, sadzīves preces, sadzīves tehnika | et: mööbel, majapidamistarbed | en: furniture, household goods | uk: меблі, побутові речі, побутова техніка | ru: мебель, бытовые вещи, бытовая техника
charity = lv: labdarība, ziedojums, humānā palīdzība | et: heategevus, annetus, humanitaarabi | en: charity, donation, humanitarian aid | uk: благодійність, пожертва | ru: благотворительность, пожертвование

# ---------------------------------------------------------------- transport
[transport]
bus = lv: autobuss, autobusi, sabiedriskais transports | et: buss, bussi*, ühistransport | en: bus, buses, public transport | uk: автобус, громадський транспорт, маршрутка | ru: автобус, общественный транспорт, маршрутка
ticket = lv: biļete, braukšanas biļete, braukšanas karte, transporta karte, e-talons | et: pilet, bussikaart, sõidukaart, ühiskaart, perioodipilet | en: ticket, travel card, bus card, bus pass, pass | uk: квиток, проїзний, проїзний квиток, транспортна картка | ru: билет, проездной, проездной билет, транспортная карта
fare-discount < ticket = lv: braukšanas atlaides, braukšanas maksas atvieglojumi, atvieglojumi, atlaide | et: sooduspilet, soodushind, sõidusoodustus, tasuta sõit | en: fare discount, reduced fare, concession, travel discount | uk: пільговий проїзд, знижка на проїзд, пільга | ru: льготный проезд, скидка на проезд, льгота
transport = lv: transports, brauciens, braukt, nokļūt, aizvest | et: transport, sõit, sõitma, sõidutama | en: transport, ride, travel, driver, lift | uk: транспорт, проїзд, поїздка, їздити, підвезти | ru: транспорт, проезд, поездка, ездить, подвезти
bicycle = lv: velosipēds, ritenis | et: jalgratas, rattaringlus, ratas | en: bicycle, bike, bike sharing | uk: велосипед | ru: велосипед
train = lv: vilciens | et: rong | en: train, railway | uk: поїзд, потяг | ru: поезд, электричка
route = lv: maršruts, kustības saraksts | et: marsruut, sõiduplaan | en: route, timetable, schedule | uk: маршрут, розклад | ru: маршрут, расписание

# ---------------------------------------------------------------- culture, leisure and libraries
[culture-leisure]
library = lv: bibliotēka, bibliotekāre, bibliotekārs | et: raamatukogu, raamatukoguhoidja | en: library, librarian | uk: бібліотека, бібліотекар | ru: библиотека, библиотекарь
book = lv: grāmata, grāmatas, lasīt | et: raamat, lugema | en: book, books, reading | uk: книга, книжка, читати | ru: книга, книжка, читать
dance = lv: deja, dejas, dejot, tautas dejas | et: tants, tantsima, rahvatants | en: dance, dancing, folk dance | uk: танець, танці, танцювати, танцювальний | ru: танец, танцы, танцевать, танцевальный
music = lv: dziesma, dziedāt, koris, mūzika, tautasdziesma | et: laul, laulma, koor, muusika, rahvalaul | en: song, sing, singing, choir, music | uk: пісня, співати, хор, музика, спів | ru: песня, петь, хор, музыка, пение
folk = lv: tautas, tradicionāls, folklora | et: rahva*, traditsiooniline, folkloor | en: folk, traditional, folklore | uk: народний, традиційний, фольклор | ru: народный, традиционный, фольклор
crafts = lv: rokdarbi, amatniecība, zīmēšana, māksla | et: käsitöö, meisterdamine, joonistamine, kunst | en: crafts, handicraft, drawing, art | uk: рукоділля, ремесло, малювання, мистецтво | ru: рукоделие, ремесло, рисование, искусство
storytelling = lv: stāstu vakars, stāsti, stāstīt, atmiņas | et: lugude õhtu, lood, jutustama, mälestused | en: storytelling, stories, memories | uk: вечір історій, історії, спогади | ru: вечер историй, истории, воспоминания
computer = lv: dators, datori, internets, bezvadu internets, wifi, e-pasts | et: arvuti, internet, wifi, e-post | en: computer, computers, internet, wifi, email | uk: комп'ютер, інтернет, wifi, електронна пошта | ru: компьютер, интернет, wifi, электронная почта
print = lv: drukāt, izdrukāt, drukāšana, skenēt, ieskenēt, kopēt | et: printima, printimine, välja printima, skaneerima, kopeerima | en: print, printing, printer, scan, scanning, copy | uk: роздрукувати, друкувати, друк, принтер, сканувати, ксерокопія | ru: распечатать, печатать, печать, принтер, сканировать, ксерокопия
sport = lv: sports, sporta spēles, vingrošana | et: sport, trenn, võimlemine | en: sport, sports, exercise | uk: спорт, тренування | ru: спорт, тренировка
cooking = lv: gatavot, recepte, ēst gatavošana | et: retsept, süüa tegema, kokkama | en: cooking, recipe, recipes | uk: рецепт, готувати, кулінарія | ru: рецепт, готовить, кулинария
culture-event = lv: koncerts, izstāde, muzejs, teātris, ekskursija, svētki | et: kontsert, näitus, muuseum, teater, ekskursioon, pidu | en: concert, exhibition, museum, theatre, excursion, festival | uk: концерт, виставка, музей, театр, екскурсія, свято | ru: концерт, выставка, музей, театр, экскурсия, праздник
leisure = lv: brīvais laiks, atpūta, hobijs | et: vaba aeg, puhkus, hobi | en: leisure, free time, hobby | uk: дозвілля, вільний час, хобі | ru: досуг, свободное время, хобби

# ---------------------------------------------------------------- interpreting and translation
[interpreting-translation]
interpreter = lv: tulks, tulki, tulkot, tulkošana, tulkotājs, tulkojums | et: tõlk, tõlgid, tõlkima, tõlge, tõlkimine, tõlkija | en: interpreter, interpreting, translator, translation, translate | uk: перекладач, переклад, перекладати, перекласти | ru: переводчик, перевод, переводить, перевести
sworn-translation < interpreter = lv: zvērināts tulkotājs, notariāli apliecināts tulkojums | et: vandetõlk, vandetõlge | en: sworn translation, certified translation | uk: присяжний перекладач, нотаріальний переклад | ru: присяжный переводчик, нотариальный перевод

# ---------------------------------------------------------------- volunteering and peer support
[volunteering-peer-support]
volunteer = lv: brīvprātīgais, brīvprātīgie, brīvprātīgais darbs, brīvprātīgo | et: vabatahtlik, vabatahtlikud, vabatahtlik töö | en: volunteer, volunteers, volunteering | uk: волонтер, волонтерство, волонтерка, волонтерський | ru: волонтер, волонтерство, доброволец, волонтерский
peer-support = lv: līdzbiedru atbalsts, atbalsta grupa, savstarpējs atbalsts, pašpalīdzības grupa | et: vastastikune tugi, tugigrupp, kogemusnõustaja, eneseabigrupp | en: peer support, support group, self-help group, peer counsellor | uk: взаємопідтримка, група підтримки, взаємодопомога | ru: взаимопомощь, группа поддержки, взаимоподдержка
community = lv: kopiena, biedrība, diaspora | et: kogukond, selts, kogukonna* | en: community, association, diaspora | uk: громада, спільнота, діаспора | ru: община, сообщество, диаспора
meeting = lv: tikšanās, satikties, saiets, pasākums | et: kohtumine, kokkusaamine, üritus | en: meeting, meet-up, gathering, event | uk: зустріч, зустрічі, захід | ru: встреча, встречи, мероприятие
buddy = lv: mentors, draugs, draudzība | et: mentor, tugiisik, sõber | en: buddy, mentor, friend | uk: ментор, наставник, друг | ru: ментор, наставник, друг

# ---------------------------------------------------------------- emergency and crisis help
[emergency-crisis]
violence = lv: vardarbība, vardarbība ģimenē, sist, sit, piekaut, vardarbīgs | et: vägivald, lähisuhtevägivald, perevägivald, lööma, peksma | en: violence, domestic violence, abuse, beat, hit, abusive | uk: насильство, домашнє насильство, бити, б'є, побиття | ru: насилие, домашнее насилие, бить, бьет, избивать, побои
crisis = lv: krīze, krīzes | et: kriis, kriisi* | en: crisis | uk: криза, кризовий | ru: кризис, кризисный
helpline = lv: uzticības tālrunis, krīzes tālrunis, palīdzības tālrunis, diennakts tālrunis | et: kriisitelefon, abitelefon, usaldustelefon, ööpäevaringne | en: helpline, hotline, crisis line | uk: гаряча лінія, телефон довіри, цілодобова лінія | ru: горячая линия, телефон доверия, круглосуточная линия
emergency = lv: ārkārtas, ārkārtas situācija, 112, dzīvības briesmas, steidzami | et: hädaabi, 112, erakorraline, kiire | en: emergency, urgent, 112 | uk: екстрений, терміново, надзвичайна ситуація, 112 | ru: экстренный, срочно, чрезвычайная ситуация, 112
danger = lv: briesmas, apdraudējums, nedrošs, drošs | et: oht, ohus, turvaline | en: danger, unsafe, safe, safety | uk: небезпека, безпека, безпечний | ru: опасность, безопасность, безопасный
trafficking = lv: cilvēku tirdzniecība | et: inimkaubandus | en: human trafficking, trafficking | uk: торгівля людьми | ru: торговля людьми
victim = lv: cietušais, upuris, cietusī | et: ohver, kannatanu | en: victim, survivor | uk: потерпілий, жертва, постраждалий | ru: пострадавший, жертва, потерпевший
crisis-centre < crisis = lv: krīzes centrs, krīžu centrs, drošā māja | et: kriisikeskus, turvakodu, naiste tugikeskus | en: crisis centre, crisis center, safe house, women's shelter | uk: кризовий центр, притулок для жінок | ru: кризисный центр, приют для женщин
partner = lv: vīrs, sieva, partneris, tuvinieks | et: abikaasa, elukaaslane, partner, lähedane | en: husband, wife, partner | uk: чоловік, дружина, партнер | ru: муж, жена, партнер
accident = lv: nelaimes gadījums, ugunsgrēks, nāve | et: õnnetus, tulekahju, surm | en: accident, fire, death | uk: нещасний випадок, пожежа, смерть | ru: несчастный случай, пожар, смерть

# ---------------------------------------------------------------- places
# A place's names in any language (the lemmatizer adds inflected forms such as Rīgā, Tallinnas,
# Таллінні); `< parent` puts it inside a region or country. Towns of Latvia and Estonia where the
# platform's libraries and services are, with their regions.
[place]
place-lv = Latvija, Latvia, Läti, Латвія, Латвия
place-ee = Igaunija, Estonia, Eesti, Естонія, Эстония
place-vidzeme < place-lv = Vidzeme, Видземе
place-kurzeme < place-lv = Kurzeme, Курземе
place-zemgale < place-lv = Zemgale, Земгале
place-latgale < place-lv = Latgale, Латгале, Латгалия
place-riga-region < place-lv = Pierīga
place-riga < place-riga-region = Rīga, Riga, Рига, Ріга
place-jurmala < place-riga-region = Jūrmala, Юрмала
place-ogre < place-riga-region = Ogre, Огре
place-salaspils < place-riga-region = Salaspils, Саласпилс, Саласпілс
place-olaine < place-riga-region = Olaine, Олайне
place-adazi < place-riga-region = Ādaži, Адажи, Адажі
place-marupe < place-riga-region = Mārupe, Марупе
place-kekava < place-riga-region = Ķekava, Кекава
place-saulkrasti < place-riga-region = Saulkrasti, Саулкрасты, Саулкрасти
place-sigulda < place-vidzeme = Sigulda, Сигулда, Сігулда
place-valmiera < place-vidzeme = Valmiera, Валмиера, Валмієра
place-cesis < place-vidzeme = Cēsis, Cesis, Цесис, Цесіс
place-smiltene < place-vidzeme = Smiltene, Смилтене, Смілтене
place-limbazi < place-vidzeme = Limbaži, Limbazi, Лимбажи, Лімбажі
place-valka < place-vidzeme = Valka, Валка
place-salacgriva < place-vidzeme = Salacgrīva, Салацгрива, Салацгріва
place-ainazi < place-vidzeme = Ainaži, Айнажи, Айнажі
place-rujiena < place-vidzeme = Rūjiena, Руйиена, Руїєна
place-mazsalaca < place-vidzeme = Mazsalaca, Мазсалаца
place-strenci < place-vidzeme = Strenči, Стренчи, Стренчі
place-gulbene < place-vidzeme = Gulbene, Гулбене
place-aluksne < place-vidzeme = Alūksne, Алуксне
place-madona < place-vidzeme = Madona, Мадона
place-liepaja < place-kurzeme = Liepāja, Лиепая, Лієпая
place-ventspils < place-kurzeme = Ventspils, Вентспилс, Вентспілс
place-kuldiga < place-kurzeme = Kuldīga, Кулдига, Кулдіга
place-saldus < place-kurzeme = Saldus, Салдус
place-talsi < place-kurzeme = Talsi, Талси, Талсі
place-tukums < place-kurzeme = Tukums, Тукумс
place-jelgava < place-zemgale = Jelgava, Елгава, Єлгава
place-bauska < place-zemgale = Bauska, Бауска
place-dobele < place-zemgale = Dobele, Добеле
place-jekabpils < place-zemgale = Jēkabpils, Екабпилс, Єкабпілс
place-aizkraukle < place-zemgale = Aizkraukle, Айзкраукле
place-daugavpils < place-latgale = Daugavpils, Даугавпилс, Даугавпілс
place-rezekne < place-latgale = Rēzekne, Резекне
place-ludza < place-latgale = Ludza, Лудза
place-kraslava < place-latgale = Krāslava, Краслава
place-preili < place-latgale = Preiļi, Прейли, Прейлі
place-balvi < place-latgale = Balvi, Балви, Балві
place-harjumaa < place-ee = Harjumaa, Harju maakond, Харьюмаа, Гар'юмаа
place-hiiumaa < place-ee = Hiiumaa, Hiiu maakond, Hījumā, Хийумаа, Хійумаа, Dagö
place-saaremaa < place-ee = Saaremaa, Sāremā, Сааремаа
place-tartumaa < place-ee = Tartumaa, Tartu maakond, Тартумаа
place-parnumaa < place-ee = Pärnumaa, Pärnu maakond, Пярнумаа
place-valgamaa < place-ee = Valgamaa, Valga maakond, Валгамаа
place-ida-virumaa < place-ee = Ida-Virumaa, Ida-Viru, Ида-Вирумаа, Іда-Вірумаа
place-laane-virumaa < place-ee = Lääne-Virumaa, Ляэне-Вирумаа
place-laanemaa < place-ee = Läänemaa, Ляэнемаа
place-viljandimaa < place-ee = Viljandimaa, Вильяндимаа
place-vorumaa < place-ee = Võrumaa, Вырумаа
place-polvamaa < place-ee = Põlvamaa, Пылвамаа
place-jarvamaa < place-ee = Järvamaa, Ярвамаа
place-raplamaa < place-ee = Raplamaa, Рапламаа
place-jogevamaa < place-ee = Jõgevamaa, Йыгевамаа
place-tallinn < place-harjumaa = Tallinn, Tallina, Tallina linn, Tallina, Таллин, Таллінн, Talina
place-keila < place-harjumaa = Keila, Кейла
place-maardu < place-harjumaa = Maardu, Маарду
place-saue < place-harjumaa = Saue, Сауэ
place-kardla < place-hiiumaa = Kärdla, Kerdla, Кярдла, Кердла
place-kaina < place-hiiumaa = Käina, Кяйна
place-emmaste < place-hiiumaa = Emmaste, Эммасте, Еммасте
place-kuressaare < place-saaremaa = Kuressaare, Курессааре
place-tartu < place-tartumaa = Tartu, Tartu linn, Тарту
place-elva < place-tartumaa = Elva, Элва, Елва
place-parnu < place-parnumaa = Pärnu, Pērnava, Пярну
place-valga < place-valgamaa = Valga, Валга
place-otepaa < place-valgamaa = Otepää, Отепя, Отепяе
place-torva < place-valgamaa = Tõrva, Тырва
place-narva < place-ida-virumaa = Narva, Нарва
place-kohtla-jarve < place-ida-virumaa = Kohtla-Järve, Кохтла-Ярве
place-johvi < place-ida-virumaa = Jõhvi, Йыхви, Йихві
place-sillamae < place-ida-virumaa = Sillamäe, Силламяэ, Сілламяе
place-rakvere < place-laane-virumaa = Rakvere, Раквере
place-tapa < place-laane-virumaa = Tapa, Тапа
place-haapsalu < place-laanemaa = Haapsalu, Хаапсалу
place-viljandi < place-viljandimaa = Viljandi, Вильянди, Вільянді
place-voru < place-vorumaa = Võru, Выру, Виру
place-polva < place-polvamaa = Põlva, Пылва
place-paide < place-jarvamaa = Paide, Пайде
place-rapla < place-raplamaa = Rapla, Рапла
place-jogeva < place-jogevamaa = Jõgeva, Йыгева

# ---------------------------------------------------------------- query words without meaning
[stop]
lv: un, vai, ar, par, pa, pie, no, uz, līdz, kur, kā, kas, ko, kad, kāpēc, es, man, mums, mēs, jūs, viņš, viņa, ir, būt, var, varu, vai, kurš, kura, kuri, šeit, tur, arī, tikai, ļoti, lai, ka, bet, jo, tas, tā, šis, šī, kaut, kāds, kāda, vajag, vajadzīgs, gribu
et: ja, või, ning, ka, kus, kuidas, kes, mis, millal, miks, ma, mina, mul, meil, me, te, ta, on, olema, saab, saan, kas, see, need, siin, seal, ka, ainult, väga, et, aga, sest, mingi, vaja, tahan, soovin, juurde, jaoks
en: the, a, an, and, or, of, to, in, on, at, for, with, where, how, what, who, when, why, i, me, my, we, you, is, are, be, can, get, need, want, find, there, here, near, me, some, any, do, does, please, from, by
uk: і, й, та, або, в, у, на, з, із, зі, до, для, по, про, під, де, як, що, хто, коли, чому, куди, я, мені, мене, ми, нам, ви, він, вона, є, бути, можна, можу, треба, потрібно, потрібен, хочу, шукаю, отримати, знайти, мій, моя, мої, цей, ця, це, там, тут, чи, а, але, бо, щоб, звернутися
ru: и, или, в, во, на, с, со, к, до, для, по, про, под, у, о, об, где, как, что, кто, когда, почему, куда, я, мне, меня, мы, нам, вы, он, она, есть, быть, можно, могу, надо, нужно, нужен, хочу, ищу, получить, найти, мой, моя, мои, этот, эта, это, там, тут, ли, а, но, чтобы, обратиться

# Too general to decide anything: "help", "service", "support", "get", "information".
[generic]
lv: palīdzība, palīdzēt, palīdzam, atbalsts, atbalstīt, pakalpojums, informācija, saņemt, iegūt, cilvēks, cilvēki
et: abi, aitama, aitame, tugi, toetama, teenus, info, informatsioon, saama, inimene, inimesed
en: help, helping, support, service, services, information, info, people, person, assistance
uk: допомога, допомогти, підтримка, послуга, інформація, людина, люди, отримання
ru: помощь, помочь, поддержка, услуга, информация, человек, люди, получение
"""


@dataclass(frozen=True)
class Concept:
    id: str
    category: str | None = None
    place: bool = False
    parent: str | None = None
    # language → phrases as written (places use "*", names in any language)
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, Concept]
    stop: dict[str, frozenset[str]]
    generic: dict[str, frozenset[str]]

    def ancestors(self, concept_id: str) -> list[str]:
        """The broader concepts (or the places that contain this one), nearest first."""
        found: list[str] = []
        entry = self.concepts.get(concept_id)
        parent = entry.parent if entry else None
        while parent and parent not in found and parent in self.concepts:
            found.append(parent)
            parent = self.concepts[parent].parent
        return found


def _split(values: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in values.split(",") if v.strip())


@cache
def load() -> Vocabulary:
    """The vocabulary parsed from DATA (checked by the tests: every concept in five languages)."""
    concepts: dict[str, Concept] = {}
    stop: dict[str, frozenset[str]] = {}
    generic: dict[str, frozenset[str]] = {}
    section = "-"
    for raw in DATA.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        if section in {"stop", "generic"}:
            language, _, words = line.partition(":")
            target = stop if section == "stop" else generic
            target[language.strip()] = frozenset(_split(words))
            continue
        head, _, body = line.partition("=")
        name, _, parent = head.partition("<")
        concept_id = name.strip()
        if section == "place":
            concepts[concept_id] = Concept(
                id=concept_id, place=True, parent=parent.strip() or None,
                phrases={"*": _split(body)},
            )  # fmt: skip
            continue
        phrases: dict[str, tuple[str, ...]] = {}
        for part in body.split("|"):
            language, _, words = part.partition(":")
            phrases[language.strip()] = _split(words)
        concepts[concept_id] = Concept(
            id=concept_id,
            category=None if section == "-" else section,
            parent=parent.strip() or None,
            phrases=phrases,
        )
    return Vocabulary(concepts=concepts, stop=stop, generic=generic)
