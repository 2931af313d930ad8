"""The generated sample data set in Chinese (``planning generate --lang zh``).

The generator draws its data in English; ``to_chinese(tables)`` rewrites every text a person
reads (cadre names, units, districts, class titles and topics, institutions, rotation posts,
blackout and busy-period reasons, course comments) into Chinese, by table and column. Ids,
codes (levels, modes, directions, categories, scopes) and numbers are left as they are, so
the Chinese data set plans exactly like the English one: the same seed gives the same plan.
A text the maps do not know raises ``KeyError`` naming it, so a new English word in the
generator cannot slip into the Chinese sample unnoticed (tests/test_generate_zh.py).
"""
from __future__ import annotations

import re

import pandas as pd

from planning.data import generate as G

DISTRICT_WORDS = {"Dong": "东", "Xi": "西", "Nan": "南", "Bei": "北", "Zhong": "中", "Qing": "清", "Jin": "金",
                  "Long": "龙", "Feng": "丰", "Hua": "华", "Yun": "云", "Tai": "泰",
                  "cheng": "城", "hu": "湖", "shan": "山", "he": "河", "ling": "岭", "yuan": "源", "ping": "平",
                  "tang": "塘", "gang": "港", "zhou": "州", "shui": "水"}
TOWNSHIP_FIRST = {"Qing": "青", "Shui": "水", "Hua": "花", "Long": "龙", "Feng": "凤", "Bai": "白", "Shi": "石",
                  "Yun": "云", "Tai": "太", "Ping": "平", "An": "安", "Xin": "新", "Jin": "金", "Yang": "杨",
                  "Lian": "莲", "Hong": "红", "Da": "大", "Gu": "古", "Song": "松", "Liu": "柳", "Mei": "梅",
                  "Tao": "桃", "Ning": "宁", "Fu": "福", "Huang": "黄", "Lu": "芦", "Zhu": "竹", "Ma": "马",
                  "Sha": "沙", "Tian": "田", "Wan": "万", "Yu": "玉"}
TOWNSHIP_SECOND = {"shui": "水", "shan": "山", "he": "河", "qiao": "桥", "ping": "坪", "tang": "塘", "kou": "口",
                   "ling": "岭", "xi": "溪", "feng": "峰", "yuan": "源", "gang": "岗", "zhuang": "庄", "hu": "湖",
                   "bao": "堡", "du": "渡", "tan": "滩", "pu": "铺", "jing": "井", "ba": "坝"}
TOWNSHIP_KINDS = {"Township": "乡", "Town": "镇", "Subdistrict": "街道"}
BUREAUS = {"Finance Bureau": "财政局", "Education Bureau": "教育局", "Civil Affairs Bureau": "民政局",
           "Public Security Bureau": "公安局", "Human Resources and Social Security Bureau": "人力资源和社会保障局",
           "Natural Resources Bureau": "自然资源局", "Ecology and Environment Bureau": "生态环境局",
           "Housing and Urban-Rural Development Bureau": "住房和城乡建设局", "Transport Bureau": "交通运输局",
           "Water Resources Bureau": "水利局", "Agriculture and Rural Affairs Bureau": "农业农村局",
           "Commerce Bureau": "商务局", "Culture and Tourism Bureau": "文化和旅游局", "Health Commission": "卫生健康委员会",
           "Emergency Management Bureau": "应急管理局", "Audit Bureau": "审计局", "Market Regulation Bureau": "市场监督管理局",
           "Statistics Bureau": "统计局", "Development and Reform Bureau": "发展和改革局", "Justice Bureau": "司法局",
           "Letters and Visits Bureau": "信访局", "Veterans Affairs Bureau": "退役军人事务局",
           "Organization Department": "委组织部", "Publicity Department": "委宣传部",
           "United Front Work Department": "委统战部", "Political and Legal Affairs Commission": "委政法委员会",
           "Discipline Inspection Commission": "纪律检查委员会", "Party Committee Office": "委办公室",
           "Government Office": "政府办公室", "People's Congress Standing Committee Office": "人大常委会办公室"}
TOPICS = {"Party theory": "党的创新理论", "Rural revitalization": "乡村振兴", "Digital government": "数字政府",
          "Emergency management": "应急管理", "Rule of law": "法治建设", "Grassroots governance": "基层治理",
          "Economic development": "经济发展", "Ecological protection": "生态保护", "Financial risk": "金融风险防范",
          "Leadership skills": "领导能力", "Letters and visits work": "信访工作", "Integrity education": "廉政教育",
          "Party history": "党史学习", "Public health": "公共卫生", "Urban planning": "城市规划"}
CLASS_KINDS = {"advanced study programme": "进修班", "seminar": "专题研讨班", "training class": "培训班",
               "capacity-building class": "能力提升班", "class": "培训班", "special course": "专题讲座班",
               "weekend class": "周末班"}
AUDIENCES = {"county-level leading cadres": "县处级领导干部", "leading cadres": "领导干部",
             "section-level cadres": "科级干部", "cadres below county level": "县以下干部",
             "grassroots cadres": "基层干部", "young cadres": "年轻干部", "all cadres": "全体干部"}
INSTITUTIONS = {"County Party School": "县委党校", "Municipal Party School": "市委党校",
                "Provincial Party School": "省委党校", "Provincial Cadre College": "省干部学院",
                "Online Academy": "网络学院"}
REASONS = {
    "Two Sessions (people's congress and CPPCC plenary sessions)": "全国两会及地方人代会、政协会议",
    "Flood season: flood control and emergency duty": "汛期：防汛和应急值守",
    "Key work week: provincial inspection team in the region": "重点工作周：省巡视组在区内",
    "Year-end assessment": "年终考核",
    "Spring planting and farmland irrigation": "春耕春播和农田灌溉", "Flood prevention preparations": "防汛准备",
    "Forest fire prevention": "森林防火", "Autumn harvest and straw-burning control": "秋收和秸秆禁烧",
    "Budget preparation for next year": "编制下年度预算", "Entrance examinations and enrolment": "升学考试和招生",
    "Annual statistical survey": "年度统计调查", "Flood-season preparations": "汛前准备",
    "Spring planting supervision": "春耕督导", "Food safety inspection campaign": "食品安全专项检查",
    "Economic responsibility audits": "经济责任审计",
    "Project acceptance inspection": "项目验收检查", "Special audit": "专项审计", "Inspection tour support": "巡视巡察配合",
    "Investment promotion trip": "招商引资外出", "Village committee election work": "村委会换届选举工作",
    "Land acquisition and relocation": "征地拆迁", "Rural revitalization assessment": "乡村振兴考核",
    "Petition case handling": "信访案件办理", "Annual report drafting": "年度报告起草",
    "Safety production inspection": "安全生产检查", "Major project contract negotiation": "重大项目合同谈判",
}
PROJECTS = {"Riverside industrial park": "滨江工业园", "High-speed rail station area": "高铁站片区",
            "Old town renovation": "老城区改造", "Water diversion": "引水工程", "Expressway link road": "高速公路连接线",
            "Digital economy park": "数字经济产业园"}
EVENTS = {"Provincial games": "省运会", "Tea culture festival": "茶文化节", "Investment fair": "投资贸易洽谈会",
          "Rural tourism festival": "乡村旅游节", "National civilized city review": "全国文明城市测评"}
OFFICES = {"Municipal Party Committee": "市委", "Municipal Government": "市政府",
           "Municipal Organization Department": "市委组织部", "Municipal Development and Reform Commission": "市发展和改革委员会",
           "Provincial Department of Agriculture": "省农业农村厅"}
ROTATION_TITLES = {  # the generator's templates, in Chinese (same placeholders)
    "Village first secretary, {township}": "{township}驻村第一书记",
    "Community frontline post, {township}": "{township}社区一线岗位",
    "Letters and visits reception, {office}": "{office}信访接待",
    "Conflict mediation centre, {township}": "{township}矛盾纠纷调解中心",
    "Party-building instructor at a non-public enterprise, {district} District": "{district}区非公企业党建指导员",
    "{project} headquarters, {office}": "{office}{project}指挥部",
    "{event} support team, {office}": "{office}{event}保障组",
    "General office, {office}": "{office}综合办公室",
    "{event} preparatory office, {office}": "{office}{event}筹备办公室",
}
COMMENTS = {
    "Content repeated what we already knew.": "内容与已学重复。", "Poorly organised; several sessions were cancelled.":
    "组织不力，多次课程取消。", "Recorded lectures only, no discussion.": "只有录播课，没有研讨。",
    "Too much reading aloud from slides.": "照本宣科过多。", "The timetable clashed with our unit's work.": "课程安排与单位工作冲突。",
    "Cases were out of date.": "案例陈旧。", "Useful but too long.": "有用但时间过长。",
    "Good topics, but the teaching was uneven.": "选题好，但授课水平参差不齐。", "More practice would help.": "应增加实践环节。",
    "Practical cases from our own county.": "案例来自本县，实用。", "Good mix of lectures and site visits.": "讲授与现场教学结合得好。",
    "Clear and well prepared teachers.": "教师讲解清楚、准备充分。", "Excellent: directly useful for my post.": "很好：对本岗位直接有用。",
    "The best class I have taken.": "参加过的最好的培训班。", "Inspiring site teaching and lively discussion.": "现场教学有启发，讨论热烈。",
}
SURNAMES = dict(G.SURNAMES)
GIVEN = dict(G.GIVEN_NAMES)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _split(word: str, first: dict[str, str], second: dict[str, str]) -> str:
    for head in sorted(first, key=len, reverse=True):
        if word.startswith(head) and word[len(head):] in second:
            return first[head] + second[word[len(head):]]
    raise KeyError(f"no Chinese for the place name {word!r}")


def district(name: str) -> str:
    """'Dongcheng' -> '东城'; 'District 61' -> '第61'."""
    m = re.fullmatch(r"District (\d+)", name)
    if m:
        return f"第{m.group(1)}"
    return _split(name, DISTRICT_WORDS, DISTRICT_WORDS)


def township(name: str) -> str:
    """'Qingshui Township' -> '青水乡'; 'Qingshui 2 Town' -> '青水二镇' style numbering as '青水2镇'."""
    base, kind = name.rsplit(" ", 1)
    number = ""
    m = re.fullmatch(r"(\w+) (\d+)", base)
    if m:
        base, number = m.group(1), m.group(2)
    return _split(base, TOWNSHIP_FIRST, TOWNSHIP_SECOND) + number + TOWNSHIP_KINDS[kind]


def unit_name(name: str, districts: set[str]) -> str:
    for d in sorted(districts, key=len, reverse=True):
        if name.startswith(d + " ") and name[len(d) + 1:] in BUREAUS:
            zh = BUREAUS[name[len(d) + 1:]]
            return f"{district(d)}区{zh}" if not zh.startswith("委") else f"{district(d)}区{zh}"
    return township(name)


def person(name: str) -> str:
    if _CJK.search(name):
        return name
    sur, given = name.split(" ", 1)
    return SURNAMES[sur] + GIVEN[given]


def class_title(title: str) -> str:
    """'Economic development weekend class for grassroots cadres' -> '基层干部经济发展周末班'."""
    head, audience = title.split(" for ", 1)
    for topic in sorted(TOPICS, key=len, reverse=True):
        if head.lower().startswith(topic.lower() + " "):
            return AUDIENCES[audience] + TOPICS[topic] + CLASS_KINDS[head[len(topic) + 1:]]
    raise KeyError(f"no Chinese for the class title {title!r}")


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(\{\w+\})", template)
    return re.compile("".join(f"(?P<{p[1:-1]}>.+?)" if p.startswith("{") else re.escape(p) for p in parts) + "$")


_ROT = [(_template_regex(en), zh) for en, zh in ROTATION_TITLES.items()]


def post_title(title: str, districts: set[str]) -> str:
    m = re.fullmatch(r"(.*) \((\d+)\)", title)
    suffix = ""
    if m:
        title, suffix = m.group(1), f"（{m.group(2)}）"
    for rx, zh in _ROT:
        hit = rx.match(title)
        if not hit:
            continue
        v = hit.groupdict()
        out = {}
        for k, x in v.items():
            if k == "township":
                out[k] = unit_name(x, districts)
            elif k == "district":
                out[k] = district(x)
            elif k == "office":
                out[k] = OFFICES[x] if x in OFFICES else f"{district(x[:-len(' District')])}区"
            elif k == "project":
                out[k] = PROJECTS[x]
            elif k == "event":
                out[k] = EVENTS[x]
        return zh.format(**out) + suffix
    raise KeyError(f"no Chinese for the rotation post {title!r}")


def _map(df: pd.DataFrame, column: str, fn) -> None:
    if column in df.columns:
        df[column] = [fn(v) if isinstance(v, str) and v else v for v in df[column]]


def to_chinese(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same data set with every person-read text in Chinese (ids, codes and numbers unchanged)."""
    out = {k: v.copy() for k, v in tables.items()}
    districts = set(tables["units"]["district"]) if "units" in tables else set()
    topic = lambda t: TOPICS.get(t, t)  # noqa: E731  (history rotation rows carry a category code)
    if "units" in out:
        _map(out["units"], "name", lambda n: unit_name(n, districts))
        _map(out["units"], "district", lambda d: f"{district(d)}区")
    if "cadres" in out:
        _map(out["cadres"], "name", person)
    if "classes" in out:
        _map(out["classes"], "title", class_title)
        _map(out["classes"], "topic", lambda t: TOPICS[t])
        _map(out["classes"], "institution", lambda t: INSTITUTIONS[t])
    if "rotations" in out:
        _map(out["rotations"], "title", lambda t: post_title(t, districts))
    for name in ("blackouts", "busy"):
        if name in out:
            _map(out[name], "reason", lambda r: REASONS[r])
    if "history" in out:
        _map(out["history"], "topic", topic)
    if "course_ratings" in out:
        _map(out["course_ratings"], "institution", lambda t: INSTITUTIONS[t])
        _map(out["course_ratings"], "comment", lambda t: COMMENTS[t])
    return out
