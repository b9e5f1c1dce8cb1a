"""Reactions to a launch and analyses of it are accounts of the launch, in every language
the missile_launch monitor reads: they join it with the launcher as actor and never open
an event of their own. Sentences written for these tests, several per class of wording
(statements and condemnations, emergency meetings, allied commands aware of it, UN
Security Council calls, markets, photos of people watching the news, chronologies,
analyses); and reactions to other things, which are not reports of a North Korean launch.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.events.summary import ROLES, member_roles
from crawler.report.web.pages import Source, role_notes
from crawler.report.wording import role_note
from monitors.base import ACCOUNTS, ArticleView, Match, MonitorConfig
from monitors.launchactors import launch_actor
from monitors.launchrules import load_folder
from monitors.missile_launch import from_config

MONITOR = from_config(MonitorConfig("missiles", "missile_launch", {}))
LAUNCH = datetime(2026, 1, 3, 22, 50, tzinfo=UTC)  # Sunday 4 January, 07:50 KST
SUNDAY = "2026-01-04T11:30:00+09:00"
MONDAY = "2026-01-05T10:00:00+09:00"


def view(title: str, text: str = "", published: str = SUNDAY, language: str | None = None):
    return ArticleView(
        f"test:{language or 'any'}", title, text, datetime.fromisoformat(published), language
    )


def answer(found: Match | None, title: str) -> Match:
    assert found is not None, title
    assert found.facts["actor"] == "North Korea", title
    assert not found.opens, title
    assert found.time is not None and found.time.precision == "days", title
    assert found.time.start <= LAUNCH <= found.time.end, title
    return found


# (title, lead) per class; the class is the comment above each group.
EN_REACTIONS = [
    # condemnation and protest
    (
        "Japan condemns North Korea's ballistic missile launch",
        "Japan's prime minister on Sunday condemned North Korea's launch of ballistic "
        "missiles, calling it a threat to regional peace.",
    ),
    (
        "Seoul slams North Korean missile launch as provocation",
        "South Korea's foreign ministry slammed the missile launch by North Korea on Sunday.",
    ),
    (
        "Tokyo lodges protest over North Korean missile launch",
        "The Japanese government lodged a strong protest with North Korea through its "
        "embassy in Beijing on Sunday over the missile launch.",
    ),
    # a statement of position: urging the launcher, a violation of resolutions
    (
        "South Korea calls on Pyongyang to stop provocations after missile launch",
        "South Korea on Sunday called on North Korea to stop its provocations, hours after "
        "the North fired a ballistic missile into the East Sea.",
    ),
    (
        "Foreign ministry says launch broke UN rules",
        "North Korea's launch of ballistic missiles on Sunday is a clear violation of UN "
        "Security Council resolutions, the foreign ministry said in a statement.",
    ),
    # an emergency meeting on it
    (
        "South Korea holds emergency security meeting after North Korean missile launch",
        "South Korea's presidential National Security Office convened an emergency meeting "
        "on Sunday morning after North Korea fired ballistic missiles toward the East Sea.",
    ),
    (
        "Japan's security council meets",
        "Japan convened its National Security Council on Sunday in response to North "
        "Korea's launch of ballistic missiles.",
    ),
    # an allied command aware of it and consulting allies
    (
        "US Indo-Pacific Command 'aware' of North Korean missile launch",
        "U.S. Indo-Pacific Command said on Saturday it was aware of the ballistic missile "
        "launch by North Korea and was consulting closely with its allies.",
    ),
    (
        "US military says North Korean launch poses no immediate threat",
        "The U.S. military said on Sunday the missile launch by North Korea did not pose "
        "an immediate threat to U.S. personnel or territory.",
    ),
    # the UN Security Council called on over it
    (
        "UN Security Council to meet on North Korea's missile launch",
        "The UN Security Council will hold an emergency meeting over North Korea's launch "
        "of ballistic missiles on Sunday, diplomats said.",
    ),
    (
        "US asks UN Security Council to meet after North Korean ICBM launch",
        "The United States on Sunday asked the UN Security Council to meet after North "
        "Korea launched an intercontinental ballistic missile.",
    ),
    # markets moving on it
    (
        "Seoul stocks slip after North Korea fires missiles",
        "South Korean stocks fell in early trade on Sunday after North Korea fired "
        "ballistic missiles.",
    ),
    ("Kospi shrugs off North Korean missile launch", ""),
    # a photo of people watching the news of it
    (
        "North Korea fires ballistic missiles",
        "People watch a TV screen showing a news program reporting on North Korea's missile "
        "launch, at Seoul Railway Station in Seoul, South Korea, Sunday, Jan. 4, 2026.",
    ),
    (
        "North Korea fires ballistic missiles toward sea",
        "A TV screen shows a file image of North Korea's missile launch during a news "
        "program at a railway station in Seoul on Sunday.",
    ),
    # a chronology of past launches, ending with this one
    (
        "Timeline: North Korea's missile launches",
        "North Korea fired ballistic missiles on Sunday, South Korea's military said. "
        "Here are its launches of the past year.",
    ),
    (
        "North Korea's missile launches: a chronology",
        "North Korea fired ballistic missiles toward the sea on Sunday, Japan's defense "
        "ministry said.",
    ),
]

KO_REACTIONS = [
    # condemnation and protest: 규탄, 유감, 항의
    (
        '日 "北 탄도미사일 발사 강력 규탄"',
        "일본 정부는 4일 북한의 탄도미사일 발사를 강력히 규탄한다고 밝혔다.",
    ),
    (
        '국방부 "北 탄도미사일 발사, 한반도 평화·안정 저해"',
        '국방부는 4일 북한이 동해상으로 탄도미사일을 발사한 것에 대해 "한반도 평화와 안정을 '
        '저해하는 명백한 도발 행위"라고 밝혔다.',
    ),
    (
        '정부, 北 미사일 발사에 "강한 유감…도발 중단 촉구"',
        "외교부는 4일 대변인 성명을 내고 북한의 탄도미사일 발사는 유엔 안보리 결의 위반이라며 "
        "도발 중단을 촉구했다.",
    ),
    ("北 탄도미사일 발사에 日 강력 항의", "일본 정부는 4일 베이징 대사관 경로를 통해 항의했다."),
    # an emergency meeting on it: 긴급회의, 안보상황점검회의
    (
        "안보실, 北 탄도미사일 발사에 긴급회의 개최",
        "대통령실 국가안보실은 4일 오전 안보실장 주재로 긴급회의를 열고 북한의 탄도미사일 "
        "발사에 대응해 대비태세를 점검했다.",
    ),
    (
        '대통령실, 긴급 안보상황점검회의 개최…"北 도발 중단하라"',
        "대통령실 국가안보실은 4일 북한이 평양 일대에서 동해상으로 탄도미사일 여러 발을 "
        "발사하자 긴급 안보상황점검회의를 열었다고 밝혔다.",
    ),
    # an allied command aware of it and consulting allies: 인지, 긴밀히 협의
    (
        '미 인태사령부 "北 탄도미사일 발사 인지…동맹과 긴밀 협의"',
        "미국 인도태평양사령부는 3일(현지시간) 북한의 탄도미사일 발사를 인지하고 있으며 "
        "동맹국들과 긴밀히 협의하고 있다고 밝혔다.",
    ),
    (
        '인태사령부 "즉각적 위협 아냐"',
        "인도태평양사령부는 북한의 탄도미사일 발사가 미국 인원이나 영토, 동맹국에 즉각적인 "
        "위협이 되지 않는다고 평가했다고 4일 밝혔다.",
    ),
    # the UN Security Council: 안보리
    (
        "안보리, 北 탄도미사일 발사 관련 회의 소집",
        "유엔 외교소식통은 4일 안보리가 북한의 탄도미사일 발사와 관련해 회의를 소집할 "
        "예정이라고 전했다.",
    ),
    (
        '미국, 北 탄도미사일 발사에 "안보리 회의 요청"',
        "미국은 4일 북한의 탄도미사일 발사와 관련해 유엔 안전보장이사회 회의 소집을 "
        "요청했다고 밝혔다.",
    ),
    # markets moving on it: 코스피, 방산주
    (
        "코스피, 北 탄도미사일 발사에도 상승 출발",
        "5일 코스피는 전날 북한의 탄도미사일 발사에도 불구하고 상승 출발했다.",
    ),
    (
        "방산주 급등…北 미사일 발사 여파",
        "북한이 동해상으로 탄도미사일을 발사한 다음 날인 5일 방산주가 일제히 급등했다.",
    ),
    # a photo of people watching the news of it
    (
        "북한, 동해상으로 탄도미사일 발사",
        "북한이 동해상으로 탄도미사일을 발사한 4일 오전 서울역 대합실에서 시민들이 관련 뉴스를 "
        "보고 있다. 2026.1.4",
    ),
    (
        "北 탄도미사일 발사",
        "4일 오전 서울역 대합실에서 시민들이 북한의 탄도미사일 발사 관련 뉴스를 시청하고 있다.",
    ),
    # a chronology of past launches: 발사 일지
    (
        "[그래픽] 북한 탄도미사일 발사 일지",
        "합동참모본부는 4일 북한이 평양 일대에서 동해상으로 탄도미사일 여러 발을 발사했다고 "
        "밝혔다.",
    ),
    (
        "북한 미사일 발사 연표",
        "북한이 4일 오전 동해상으로 탄도미사일을 발사했다고 합동참모본부가 밝혔다.",
    ),
]

JA_REACTIONS = [
    # condemnation and protest: 抗議, 非難
    (
        "北朝鮮のミサイル発射に抗議 政府",
        "政府は4日、北朝鮮による弾道ミサイル発射について、北京の大使館ルートを通じて厳重に抗議した。",
    ),
    (
        "官房長官「断じて容認できない」 北朝鮮ミサイル発射で",
        "官房長官は4日の記者会見で、北朝鮮が弾道ミサイルを発射したことについて「断じて容認"
        "できない」と述べ、強く非難した。",
    ),
    # an emergency meeting on it: 国家安全保障会議
    (
        "政府、国家安全保障会議を開催 北朝鮮の弾道ミサイル発射受け",
        "政府は4日、北朝鮮が弾道ミサイルを発射したことを受けて、国家安全保障会議を開き、対応を協議した。",
    ),
    (
        "北朝鮮ミサイル発射で関係閣僚会議",
        "政府は4日、北朝鮮の弾道ミサイル発射を受けて関係閣僚会議を開いた。",
    ),
    # an allied command aware of it: 把握している, 緊密に協議
    (
        "米インド太平洋軍「北朝鮮のミサイル発射を把握」",
        "米インド太平洋軍は4日、北朝鮮による弾道ミサイルの発射を把握しており、同盟国と緊密に協議"
        "していると発表した。",
    ),
    (
        "米軍「北朝鮮の発射を承知している」",
        "米インド太平洋軍は声明で、北朝鮮による4日の弾道ミサイル発射を承知していると明らかにした。",
    ),
    # the UN Security Council: 安保理
    (
        "安保理、北朝鮮の弾道ミサイル発射で緊急会合へ",
        "国連安全保障理事会は北朝鮮による4日の弾道ミサイル発射を受け、緊急会合を開く方向で調整している。",
    ),
    (
        "米国、北朝鮮の弾道ミサイル発射で安保理会合を要請",
        "米国は4日、北朝鮮の弾道ミサイル発射を受けて国連安全保障理事会の会合を要請した。",
    ),
    # markets moving on it: 日経平均, 株価
    (
        "日経平均、北朝鮮ミサイル発射で一時下落",
        "4日の東京株式市場で日経平均株価は、北朝鮮が弾道ミサイルを発射したことを受けて一時下落した。",
    ),
    (
        "円相場、北朝鮮の弾道ミサイル発射で一時上昇",
        "4日の外国為替市場では、北朝鮮が弾道ミサイルを発射したことを受けて円が一時買われた。",
    ),
    # a photo of people watching the news of it
    (
        "北朝鮮が弾道ミサイル発射",
        "北朝鮮の弾道ミサイル発射を伝える街頭ビジョンを見る人たち=4日午前、東京都内",
    ),
    (
        "北朝鮮がミサイル発射",
        "北朝鮮のミサイル発射を伝えるテレビのニュースを見る人たち=4日午前、ソウル駅",
    ),
    # a chronology of past launches: 年表
    (
        "北朝鮮の主な弾道ミサイル発射 年表",
        "北朝鮮は4日、弾道ミサイルを発射したと防衛省が発表した。",
    ),
    (
        "北朝鮮のこれまでの主な弾道ミサイル発射",
        "北朝鮮は4日午前、弾道ミサイルを発射したと防衛省が発表した。",
    ),
]

FR_REACTIONS = [
    # condemnation and protest
    (
        "Le Japon condamne le tir de missile balistique nord-coréen",
        "Le gouvernement japonais a condamné dimanche le tir d'un missile balistique par la "
        "Corée du Nord.",
    ),
    (
        "Séoul dénonce le tir de missiles de Pyongyang",
        "La Corée du Sud a dénoncé dimanche le tir de missiles balistiques par la Corée du "
        "Nord, une violation des résolutions de l'ONU.",
    ),
    # an emergency meeting on it
    (
        "Séoul convoque une réunion d'urgence après un tir de missile nord-coréen",
        "La présidence sud-coréenne a convoqué dimanche une réunion d'urgence du Conseil de "
        "sécurité nationale après le tir de missiles balistiques par la Corée du Nord.",
    ),
    (
        "Tokyo réunit son Conseil de sécurité nationale",
        "Le Japon a réuni dimanche son Conseil de sécurité nationale en réponse au tir de "
        "missiles balistiques par la Corée du Nord.",
    ),
    # an allied command aware of it
    (
        "Le commandement américain dit être au courant du tir de missile nord-coréen",
        "Le commandement américain pour l'Indo-Pacifique a indiqué samedi être au courant du "
        "tir de missile balistique de la Corée du Nord.",
    ),
    (
        "Washington a connaissance du tir de missile nord-coréen",
        "Les États-Unis ont fait savoir dimanche qu'ils avaient connaissance du tir de "
        "missiles balistiques par la Corée du Nord.",
    ),
    # the UN Security Council
    (
        "Le Conseil de sécurité de l'ONU se réunira après le tir de missiles nord-coréen",
        "Le Conseil de sécurité de l'ONU tiendra une réunion d'urgence après le tir de "
        "missiles balistiques par la Corée du Nord dimanche, selon des diplomates.",
    ),
    (
        "Les États-Unis demandent une réunion du Conseil de sécurité après le tir nord-coréen",
        "Les États-Unis ont demandé dimanche une réunion du Conseil de sécurité après le tir "
        "de missiles balistiques par la Corée du Nord.",
    ),
    # markets moving on it
    (
        "La Bourse de Séoul recule après le tir de missiles de la Corée du Nord",
        "La Bourse de Séoul a reculé dimanche après le tir de missiles balistiques par la "
        "Corée du Nord.",
    ),
    (
        "Les marchés asiatiques reculent après le tir de missile nord-coréen",
        "Les investisseurs se sont montrés prudents dimanche après le tir de missiles "
        "balistiques par la Corée du Nord.",
    ),
    # a photo of people watching the news of it
    (
        "La Corée du Nord tire des missiles balistiques",
        "Des passants regardent un écran de télévision montrant le tir de missile "
        "nord-coréen, à la gare de Séoul, dimanche 4 janvier 2026.",
    ),
    (
        "Tir de missiles nord-coréens",
        "Des voyageurs suivent à la télévision le tir de missiles balistiques de la Corée du "
        "Nord, à la gare de Séoul, dimanche.",
    ),
    # a chronology of past launches, ending with this one
    (
        "Chronologie des tirs de missiles de la Corée du Nord",
        "La Corée du Nord a tiré dimanche vers 7h50 des missiles balistiques vers la mer, a "
        "annoncé l'état-major sud-coréen.",
    ),
    (
        "La Corée du Nord et ses missiles : la chronologie",
        "La Corée du Nord a tiré dimanche vers 7h50 un missile balistique, a annoncé le Japon.",
    ),
]

ES_REACTIONS = [
    # condemnation and protest
    (
        "Japón condena el lanzamiento de misiles de Corea del Norte",
        "El Gobierno japonés condenó el domingo el lanzamiento de misiles balísticos por "
        "parte de Corea del Norte.",
    ),
    (
        "Seúl rechaza el lanzamiento de misiles norcoreano",
        "Corea del Sur ha condenado el lanzamiento de misiles balísticos de Corea del Norte "
        "del domingo, una violación de las resoluciones de la ONU.",
    ),
    # an emergency meeting on it
    (
        "Seúl convoca una reunión de emergencia tras el lanzamiento de misiles norcoreano",
        "La oficina presidencial surcoreana convocó el domingo una reunión de emergencia del "
        "Consejo de Seguridad Nacional tras el lanzamiento de misiles balísticos de Corea "
        "del Norte.",
    ),
    (
        "Tokio reúne a su Consejo de Seguridad Nacional",
        "Japón reunió el domingo a su Consejo de Seguridad Nacional en respuesta al "
        "lanzamiento de misiles balísticos de Corea del Norte.",
    ),
    # an allied command aware of it
    (
        "EEUU dice estar al tanto del lanzamiento de misiles de Corea del Norte",
        "El Comando Indo-Pacífico de Estados Unidos dijo el sábado que tiene conocimiento "
        "del lanzamiento de misiles balísticos de Corea del Norte.",
    ),
    (
        "Washington está al tanto del lanzamiento de misiles norcoreano",
        "Estados Unidos dijo el domingo que está al tanto del lanzamiento de misiles "
        "balísticos de Corea del Norte.",
    ),
    # the UN Security Council
    (
        "El Consejo de Seguridad de la ONU se reunirá por el lanzamiento de misiles de "
        "Corea del Norte",
        "El Consejo de Seguridad de la ONU celebrará una reunión de urgencia tras el "
        "lanzamiento de misiles balísticos de Corea del Norte el domingo, según diplomáticos.",
    ),
    (
        "EEUU pide una reunión del Consejo de Seguridad tras el lanzamiento norcoreano",
        "Estados Unidos pidió el domingo una reunión del Consejo de Seguridad tras el "
        "lanzamiento de misiles balísticos de Corea del Norte.",
    ),
    # markets moving on it
    (
        "La bolsa de Seúl cae tras el lanzamiento de misiles de Corea del Norte",
        "La bolsa de Seúl cayó el domingo tras el lanzamiento de misiles balísticos de Corea "
        "del Norte.",
    ),
    (
        "Los mercados asiáticos caen tras el lanzamiento de misiles de Corea del Norte",
        "Los inversores vendieron el domingo tras el lanzamiento de misiles balísticos de "
        "Corea del Norte.",
    ),
    # a photo of people watching the news of it
    (
        "Corea del Norte lanza misiles balísticos",
        "Personas miran una pantalla de televisión que muestra el lanzamiento de misiles de "
        "Corea del Norte en la estación de Seúl, el domingo 4 de enero de 2026.",
    ),
    (
        "Lanzamiento de misiles norcoreano",
        "Viajeros siguen en una pantalla de televisión el lanzamiento de misiles de Corea "
        "del Norte en la estación de Seúl, el domingo.",
    ),
    # a chronology of past launches, ending with this one
    (
        "Cronología de los lanzamientos de misiles de Corea del Norte",
        "Corea del Norte lanzó el domingo misiles balísticos hacia el mar, informó el "
        "Estado Mayor surcoreano.",
    ),
    (
        "Corea del Norte y sus misiles: la cronología",
        "Corea del Norte disparó el domingo un misil balístico, informó Japón.",
    ),
]


@pytest.mark.parametrize(("title", "lead"), EN_REACTIONS)
def test_english_reactions_join_the_launch(title: str, lead: str) -> None:
    published = "2026-01-04T03:00:00+00:00"
    assert answer(MONITOR.match(view(title, lead, published)), title).account == "reaction"


@pytest.mark.parametrize(("title", "lead"), KO_REACTIONS)
def test_korean_reactions_join_the_launch(title: str, lead: str) -> None:
    published = MONDAY if "5일" in lead else SUNDAY
    assert answer(MONITOR.match(view(title, lead, published)), title).account == "reaction"


@pytest.mark.parametrize(("title", "lead"), JA_REACTIONS)
def test_japanese_reactions_join_the_launch(title: str, lead: str) -> None:
    assert answer(MONITOR.match(view(title, lead)), title).account == "reaction"


@pytest.mark.parametrize(("title", "lead"), FR_REACTIONS)
def test_french_reactions_join_the_launch(title: str, lead: str) -> None:
    found = MONITOR.match(view(title, lead, "2026-01-04T06:00:00+00:00", "fr"))
    assert answer(found, title).account == "reaction"


@pytest.mark.parametrize(("title", "lead"), ES_REACTIONS)
def test_spanish_reactions_join_the_launch(title: str, lead: str) -> None:
    found = MONITOR.match(view(title, lead, "2026-01-04T06:00:00+00:00", "es"))
    assert answer(found, title).account == "reaction"


ANALYSES = [
    # labelled as analysis, its meaning, its link to another event
    # linked to another event, whose own day the piece names first
    (
        None,
        "北 탄도미사일, 마두로 체포 하루 만에…노림수는",
        "미국이 3일(현지시간) 마두로 대통령을 체포한 지 하루 만인 4일 오전 북한이 동해상으로 "
        "탄도미사일을 발사했다고 합참이 밝혔다.",
    ),
    (
        None,
        "Analysis: North Korea's missile launch sends a message to Washington",
        "North Korea fired ballistic missiles on Sunday, South Korea's military said, days "
        "after U.S. forces captured Venezuela's Nicolas Maduro.",
    ),
    (
        None,
        "What North Korea's latest missile launch means for Lee's China trip",
        "North Korea fired ballistic missiles on Sunday, hours before South Korea's "
        "president left for Beijing, officials said.",
    ),
    (
        None,
        "North Korea's launch linked to Maduro's ouster, experts say",
        "North Korea fired ballistic missiles on Sunday, a day after the U.S. ousted "
        "Venezuela's Nicolas Maduro, South Korea's military said.",
    ),
    (
        None,
        "北 탄도미사일 발사, 마두로 축출 직후…노림수는",
        "합참은 4일 북한이 동해상으로 탄도미사일을 발사했다고 밝혔다.",
    ),
    (
        None,
        "[분석] 北, 새해 첫 탄도미사일 발사…美에 보내는 메시지",
        "합참은 북한이 4일 오전 동해상으로 탄도미사일을 발사했다고 밝혔다.",
    ),
    (None, "北朝鮮ミサイル発射の狙いは", "北朝鮮は4日、弾道ミサイルを発射したと防衛省が発表した。"),
    (
        None,
        "【解説】北朝鮮の弾道ミサイル発射 米国へのメッセージか",
        "防衛省によりますと、北朝鮮は4日午前7時50分ごろ、弾道ミサイルを発射しました。",
    ),
    (
        "fr",
        "Analyse : pourquoi la Corée du Nord a tiré des missiles après la chute de Maduro",
        "La Corée du Nord a tiré dimanche vers 7h50 des missiles balistiques vers la mer, "
        "a annoncé l'armée sud-coréenne.",
    ),
    (
        "fr",
        "Tir de missiles nord-coréen : un message à Washington, selon les experts",
        "La Corée du Nord a tiré dimanche vers 7h50 des missiles balistiques, a annoncé "
        "l'armée sud-coréenne.",
    ),
    (
        "es",
        "Análisis: por qué Corea del Norte lanzó misiles tras la captura de Maduro",
        "Corea del Norte lanzó el domingo misiles balísticos hacia el mar, informó el Estado "
        "Mayor surcoreano.",
    ),
    (
        "es",
        "El lanzamiento de misiles norcoreano, un mensaje a Washington según los expertos",
        "Corea del Norte lanzó el domingo a las 7.50 misiles balísticos, informó el Estado "
        "Mayor surcoreano.",
    ),
]


@pytest.mark.parametrize(("language", "title", "lead"), ANALYSES)
def test_analyses_of_the_launch_join_it(language: str | None, title: str, lead: str) -> None:
    found = MONITOR.match(view(title, lead, "2026-01-04T06:00:00+00:00", language))
    assert answer(found, title).account == "analysis"


FIRST_REPORTS = [
    (
        None,
        "North Korea fires ballistic missile toward East Sea, JCS says",
        "North Korea fired a ballistic missile toward the East Sea at around 7:50 a.m. "
        "Sunday, South Korea's Joint Chiefs of Staff said, adding that it was closely "
        "monitoring for further launches and sharing information with the U.S. and Japan.",
    ),
    (
        None,
        "North Korea fires missiles as UN Security Council meets",
        "North Korea fired two ballistic missiles at 7:50 a.m. Sunday, South Korea's "
        "military said.",
    ),
    (
        None,
        '[속보] 합참 "북, 동해상으로 탄도미사일 발사"',
        "합동참모본부는 4일 오전 7시 50분께 북한이 평양 일대에서 동해상으로 탄도미사일을 "
        "발사했다고 밝혔다. 합참은 한미 간 긴밀히 공유하며 추가 발사에 대비하고 있다고 설명했다.",
    ),
    (
        None,
        '北, 탄도미사일 발사…日 "강력 항의"',
        "북한이 4일 오전 7시 50분께 동해상으로 탄도미사일을 발사했다고 합참이 밝혔다.",
    ),
    (
        None,
        "北朝鮮 弾道ミサイル発射 政府が抗議",
        "防衛省によりますと、北朝鮮は4日午前7時50分ごろ、弾道ミサイルを発射しました。",
    ),
    (
        "fr",
        "La Corée du Nord tire un missile balistique vers la mer",
        "La Corée du Nord a tiré dimanche vers 7h50 un missile balistique vers la mer de "
        "l'Est, a annoncé l'état-major sud-coréen.",
    ),
    (
        "es",
        "Corea del Norte lanza un misil balístico hacia el mar",
        "Corea del Norte lanzó el domingo a las 7.50 un misil balístico hacia el mar del "
        "Este, informó el Estado Mayor Conjunto surcoreano.",
    ),
]


@pytest.mark.parametrize(("language", "title", "lead"), FIRST_REPORTS)
def test_first_reports_beside_reaction_words_still_open_the_event(
    language: str | None, title: str, lead: str
) -> None:
    found = MONITOR.match(view(title, lead, SUNDAY, language))
    assert found is not None and found.facts["actor"] == "North Korea", title
    assert found.account == "report" and found.opens, title
    assert found.time is not None and found.time.precision == "minute", title


OTHER_REACTIONS = [
    # a statement about sanctions
    (
        None,
        "US imposes new sanctions over North Korea's missile launches",
        "The Treasury Department on Sunday sanctioned three people it said helped fund "
        "North Korea's missile launches.",
    ),
    (
        None,
        "미 재무부, 北 미사일 발사 자금 댄 개인 3명 제재",
        "미 재무부는 4일 북한의 탄도미사일 발사 자금을 댄 개인 3명을 제재했다고 밝혔다.",
    ),
    (
        "fr",
        "Washington annonce des sanctions contre des responsables nord-coréens",
        "Les États-Unis ont annoncé dimanche des sanctions contre trois responsables liés "
        "aux tirs de missiles de la Corée du Nord.",
    ),
    (
        "es",
        "Estados Unidos anuncia sanciones contra responsables norcoreanos",
        "Estados Unidos anunció el domingo sanciones contra tres responsables vinculados a "
        "los lanzamientos de misiles de Corea del Norte.",
    ),
    # a meeting on something else
    (
        None,
        "Japan's National Security Council meets on Chinese drills near Taiwan",
        "Japan convened an emergency meeting on Sunday after China fired missiles near Taiwan.",
    ),
    (
        None,
        "South Korea's NSC meets on North Korea's nuclear submarine",
        "The presidential National Security Office held an emergency meeting on Sunday to "
        "discuss North Korea's new nuclear-powered submarine.",
    ),
    (
        None,
        "국가안보실, 中 대만 포위훈련 관련 긴급회의",
        "국가안보실은 4일 중국군이 대만 주변에서 미사일을 발사한 데 대해 긴급회의를 열었다.",
    ),
    (
        None,
        '정부, 北 핵잠수함 공개에 "강한 유감"',
        "통일부는 4일 북한의 핵추진잠수함 공개에 유감을 표명했다.",
    ),
    (
        None,
        "政府、中国軍の台湾周辺でのミサイル発射に抗議",
        "政府は4日、中国軍が台湾周辺で弾道ミサイルを発射したことに抗議した。",
    ),
    (
        "fr",
        "Réunion d'urgence à Tokyo après un tir de missile chinois près de Taïwan",
        "Le Japon a convoqué dimanche une réunion d'urgence après le tir de missiles "
        "chinois près de Taïwan.",
    ),
    (
        "es",
        "Reunión de emergencia en Tokio tras el lanzamiento de misiles chinos cerca de Taiwán",
        "Japón convocó el domingo una reunión de emergencia tras el lanzamiento de misiles "
        "chinos cerca de Taiwán.",
    ),
    # South Korea's own test, condemned or cheered
    (
        None,
        "North Korea condemns South Korea's missile test",
        "North Korea on Sunday condemned South Korea's test of a Hyunmoo ballistic missile, "
        "KCNA said.",
    ),
    (
        None,
        "Defense stocks rise after South Korea tests Hyunmoo missile",
        "Shares of defense companies rose on Sunday after South Korea test-fired a Hyunmoo "
        "ballistic missile.",
    ),
    (
        None,
        "북한, 한국군 현무 미사일 발사 규탄",
        "북한은 4일 조선중앙통신을 통해 한국군의 현무 탄도미사일 시험발사를 규탄했다.",
    ),
    (
        None,
        "北朝鮮、韓国の玄武ミサイル試射を非難",
        "北朝鮮の朝鮮中央通信は4日、韓国軍による玄武ミサイルの試射を非難した。",
    ),
    (
        "fr",
        "La Corée du Nord condamne l'essai de missile sud-coréen",
        "Pyongyang a dénoncé dimanche l'essai d'un missile balistique par la Corée du Sud.",
    ),
    (
        "es",
        "Corea del Norte condena la prueba de misiles de Corea del Sur",
        "Pyongyang condenó el domingo la prueba de un misil balístico de Corea del Sur.",
    ),
    # markets on something else
    (None, "Seoul stocks rise as chipmakers rally", "The Kospi rose 1% on Sunday."),
    (None, "코스피, 반도체 강세에 상승 마감", "4일 코스피는 반도체 강세에 상승 마감했다."),
]


@pytest.mark.parametrize(("language", "title", "lead"), OTHER_REACTIONS)
def test_reactions_to_other_things_do_not_match(
    language: str | None, title: str, lead: str
) -> None:
    assert MONITOR.match(view(title, lead, SUNDAY, language)) is None


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "en",
            "The launch of ballistic missiles by North Korea on Sunday violated UN Security "
            "Council resolutions.",
        ),
        ("ko", "정부는 북한의 탄도미사일 발사가 유엔 안보리 결의 위반이라고 밝혔다."),
        ("ja", "政府は北朝鮮の弾道ミサイル発射を受け、抗議した。"),
        ("fr", "Le Japon a condamné le tir de missiles par la Corée du Nord."),
        ("es", "Japón ha condenado el lanzamiento de misiles de Corea del Norte."),
    ],
)
def test_a_reaction_names_the_launch_in_words_a_report_does_not_use(
    language: str, sentence: str
) -> None:
    """Resolutions, "in response to", "発射を受け" and the French and Spanish "condemned"
    mark background or a mere cause in a report; in a reaction they name what it answers."""
    lex = load_folder()[language]
    assert launch_actor(sentence, ("North Korea",), lex) is None
    assert launch_actor(sentence, ("North Korea",), lex, responding=True) == "North Korea"


def test_the_reaction_time_is_the_days_before_it_not_its_own_words() -> None:
    """The US statement's "Saturday" (Hawaii) and the Korean "3일(현지시간)" date the
    statement; the launch lies in the days before publication, which is what the reaction
    says of it."""
    title, lead = KO_REACTIONS[6]
    found = answer(MONITOR.match(view(title, lead)), title)
    assert found.time is not None
    assert found.time.end == datetime.fromisoformat(SUNDAY)
    assert found.time.end - found.time.start >= LAUNCH_TO_SUNDAY


LAUNCH_TO_SUNDAY = datetime.fromisoformat(SUNDAY) - LAUNCH


def test_accounts_and_roles_name_reactions_and_analyses() -> None:
    assert {"reaction", "analysis"} <= set(ACCOUNTS)
    assert {"reaction", "analysis"} <= set(ROLES)


def member(article_id: int, account: str, published: str) -> dict:
    return {
        "article_id": article_id,
        "account": account,
        "role": account,
        "published_utc": published,
        "fetched_at": published,
        "matched_at": published,
        "headline": None,
    }


def test_a_reaction_published_first_is_not_the_first_report() -> None:
    members = [
        member(1, "reaction", "2026-01-03T22:55:00+00:00"),
        member(2, "report", "2026-01-03T23:05:00+00:00"),
        member(3, "analysis", "2026-01-04T02:00:00+00:00"),
    ]
    assert member_roles(members) == {1: "reaction", 2: "first report", 3: "analysis"}


def test_the_event_page_counts_reactions_and_analyses() -> None:
    roles = ["first report", "reaction", "reaction", "analysis"]
    sources = [
        Source(i, i, f"s{i}", "o", "t", None, "", "", "en", role, None, "", "")
        for i, role in enumerate(roles, 1)
    ]
    assert role_notes(sources) == ["2 reactions", "1 analysis"]


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        (
            "나흘 만에 또 미사일 발사",
            '군 당국은 4일 오전 북한의 탄도미사일 발사를 "한반도 평화를 저해하는 행위"라고 '
            "규탄했다.",
        ),
        (
            "Missiles fired again, four days after the last test",
            "South Korea's military on Sunday condemned North Korea's launch of ballistic "
            "missiles toward the East Sea.",
        ),
    ],
)
def test_a_headline_reporting_a_launch_keeps_its_report_beside_a_reacting_lead(
    title: str, lead: str
) -> None:
    """The headline says what the article is: a launch, told with the reaction to it."""
    found = MONITOR.match(view(title, lead, SUNDAY))
    assert found is not None and found.facts["actor"] == "North Korea"
    assert found.account == "report" and found.opens


def test_digests_say_a_source_is_a_reaction_or_an_analysis() -> None:
    event = {"title": "North Korea fires ballistic missile", "articles": []}
    assert role_note({"role": "reaction", "language": "en"}, event) == " (en, reaction)"
    assert role_note({"role": "analysis"}, event) == " (analysis)"
