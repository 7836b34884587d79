"""Answers to policy questions ("婚假有几天", "打车报销有上限吗") by retrieval over the numbered
sections of the employee handbook.

The bot never answers a policy question from text written by hand: it quotes the handbook
section(s) that match, with their numbers, or returns None when nothing matches well enough, so
the conversation says it does not know and offers a human HR agent instead of guessing.

How a text becomes features (the same way for sections and questions):
  1. NFKC (full-width to ASCII), lower case, Chinese numerals before a unit to digits (三天 → 3天).
  2. HR terms are cut out first, longest match (jieba alone splits 年假 into 年/假 and reads
     "请年假要" as 请/年/假要); the text between them is cut by jieba.
  3. Words are mapped to one spelling per concept with a small, generic HR vocabulary
     (出租车 → 打车, 薪资 → 工资, 老婆 → 配偶, 到账 → 发放); stop words are dropped.
  4. Features: the words ("w:") and their character bigrams ("b:"), plus bigrams over runs of
     single characters, so a split the vocabulary misses still matches.

Ranking: BM25 over these features (a section's title, the label before its colon, counts twice
and its chapter heading once), times coverage: the share of the question's informative weight
(idf) that the section contains, where a word that occurs nowhere in the handbook ("试用期",
"离职") counts fully against it. An answer needs a coverage of at least `MIN_COVERAGE` and a
matched weight of at least `MIN_MATCHED_WEIGHT` (a question of generic words only, like "怎么申请",
matches everything a little and nothing enough); that is what sends out-of-handbook questions to
a human.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

Segmenter = Callable[[str], Iterable[str]]
"""Cuts a text into words; `jieba.lcut` unless given (tests and servers may share one)."""

DOCUMENT_NAME = "员工手册"

# Calibrated on 76 employee questions with known sections and 29 the handbook does not answer
# (tests/hr_actions/test_handbook_search.py): the lowest coverage at which none of the 29 is
# answered; below it a wrong answer is likelier than a right one.
MIN_COVERAGE = 0.55
MIN_MATCHED_WEIGHT = 0.8
"""In units of a two-character word found in one section only (its word and bigram features),
so the floor scales with the handbook's size."""
RELATED_COVERAGE_RATIO = 0.9
RELATED_SCORE_RATIO = 0.7
MAX_SECTIONS = 2

_K1 = 1.2
_B = 0.75
_TITLE_MAX_CHARS = 10

# Canonical spelling → other ways employees write the same thing. Generic HR vocabulary, not
# answers: every entry names a concept, never a section. Canonical terms match themselves too.
_CANONICAL_TERMS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    # leave
    "请假": ("告假", "请个假", "请几天假", "请一天假"),
    "休假": ("休完", "可休", "休掉", "没休完", "休不完"),
    "年假": ("年休假", "带薪年假"),
    "病假": (),
    "事假": (),
    "调休": ("补休", "换休", "倒休"),
    "婚假": ("结婚假",),
    "产假": ("生育假",),
    "多胞胎": ("双胞胎", "三胞胎", "龙凤胎"),
    "陪产假": ("护理假", "陪护假", "男方护理假"),
    "丧假": ("丧事假",),
    "病假证明": ("病假条", "诊断证明"),
    "配偶": ("老婆", "妻子", "爱人", "媳妇", "太太", "老公", "丈夫"),
    "生育": ("生孩子", "生小孩", "生宝宝", "分娩"),
    "结婚": ("领证", "登记结婚", "办婚礼"),
    "去世": ("过世", "逝世", "离世", "病故", "去逝"),
    "父母": ("爸妈", "父亲", "母亲", "爸爸", "妈妈"),
    "子女": ("儿子", "女儿", "孩子"),
    "撤销": ("撤回", "取消", "撤掉"),
    "审批": ("批准", "批假", "同意"),
    "逾期": ("过期", "作废", "逾期作废", "失效"),
    "以内": ("之内",),
    "使用": ("用完", "用掉", "使用完"),
    "另加": ("额外",),
    "次年": ("明年", "第二年", "下一年", "跨年"),
    "视为": ("认定", "算作", "算是", "当作"),
    # attendance
    "打卡": ("签到", "刷卡"),
    "漏打卡": ("忘打卡", "忘记打卡", "没打卡", "未打卡", "缺卡"),
    "补卡": ("补打卡", "补签"),
    "迟到": ("晚到",),
    "早退": ("提前下班", "提前走"),
    "加班": (),
    "工作": ("入职", "工龄"),
    "工作日": (),
    "工作时间": ("上班时间", "上下班时间", "作息时间", "工作时长"),
    "法定节假日": ("法定假日", "法定节日", "节假日", "元旦", "清明节", "劳动节", "五一", "国庆节", "国庆"),
    # pay
    "工资": ("薪酬", "薪资", "薪水", "薪金", "工钱", "月薪"),
    "基本工资": ("底薪", "基本薪资"),
    "加班费": ("加班工资",),
    "工资条": ("工资单", "薪资条", "薪资单"),
    "实发工资": ("到手工资", "到手", "实发", "税后工资", "净工资", "实际到手"),
    "应发工资": ("税前工资", "税前", "应发"),
    "工资卡": (),
    "发放": ("发薪", "到账", "到帐", "发钱", "打款", "打钱", "付款"),
    "扣款": ("扣钱", "罚款", "罚钱", "扣除", "扣薪"),
    "不超过": ("上限", "封顶", "限额", "最高"),
    "核对": ("算错", "发错", "少发", "多发", "漏发", "有误", "核实", "核查"),
    "缴纳": ("交纳", "缴费", "交费"),
    "每月": ("每个月",),
    "社会保险": ("社保", "五险", "养老保险", "医疗保险", "失业保险"),
    "住房公积金": ("公积金",),
    "个人所得税": ("个税", "所得税"),
    # expenses
    "报销": ("报账", "报费用"),
    "打车": ("出租车", "的士", "网约车", "滴滴", "叫车", "交通费"),
    "住宿": ("酒店", "宾馆", "旅馆", "住店", "住宿费"),
    "餐费": ("吃饭", "饭钱", "饭费", "用餐", "招待费"),
    "办公用品": ("文具", "办公耗材"),
    "出差": ("差旅",),
    "一线城市": ("北京", "上海", "广州", "深圳", "北上广深"),
    "发票": (),
    "抬头": (),
    # benefits, performance, privacy
    "节日福利": ("过节费",),
    "春节": ("过年",),
    "端午": ("端午节",),
    "中秋": ("中秋节",),
    "高温补贴": ("高温费", "防暑降温费"),
    "体检": ("健康检查", "身体检查"),
    "绩效": ("考评", "绩效考核"),
    "申诉": ("复议",),
    "评分": ("评级", "打分", "分数", "等级", "得分"),
    "异议": ("不满意", "不认可", "不服", "有意见", "不同意"),
    "查看": ("看到", "看得到", "看见", "看得见"),
    "隐私": ("个人隐私", "保密"),
    "脱敏": ("打码",),
    "人工": ("真人", "人工客服"),
    "hr": ("人事", "人力"),
})

# Single-character words jieba leaves on their own, mapped after segmentation.
_WORD_SYNONYMS: Mapping[str, str] = MappingProxyType({
    "批": "审批", "发": "发放", "块": "元", "休": "休假", "卡": "打卡", "交": "缴纳", "生": "生育",
})

# Question and function words: they say how something is asked, not what about.
_STOP_WORD_LIST = """
我 我们 你 你们 他 她 咱 咱们 自己 本人 公司 员工 请问 请教 一下 这个 那个 这 那 这样 那样 哪 哪里 哪儿
的 地 得 了 着 过 吗 呢 吧 啊 呀 哦 嘛 么 啦 哈 是 是不是 有 有没有 没有 没 不 能 能不能 可以 可不可以 可
会 会不会 要 要不要 需要 需不需要 应该 该 想 还 还能 还是 就 都 也 又 再 在 和 与 及 或 或者 跟 对 把 被
给 让 从 到 如果 的话 多少 几 几天 几次 几个 几号 几点 多久 多长 多长时间 多少天 多少钱 什么 什么时候
怎么 怎么样 怎样 如何 为什么 为啥 啥 咋 谁 哪些 哪个 一般 一共 总共 最多 最少 大概 具体 规定 制度
政策 手册 情况 问题 知道 告诉 请 帮 帮忙 看看 查 查询 算 算不算 行 行不行 好 对吗 呗 现在 目前
觉得 时候 之前 出来 一下子 的话 感觉 已经 怎么办 包括 包含 有关 关于 相关 还有 可能 回来 今年 去年 本月
一样 计算 天数 这个月 上个月 下个月 本周 这周 上周 下周 今天 明天 昨天 后天
"""
_STOP_WORDS = frozenset(_STOP_WORD_LIST.split())

# Function characters jieba glues to content words in questions ("天要", "晚能", "假有").
_STOP_CHARS = "我你他她的了吗呢吧啊呀是有能会要还就都也又在和把被给让从到这那几多么啥谁该想可请算没不内后前里"

_NUMERAL_VALUES = MappingProxyType({
    "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
})
_NUMERAL_BEFORE_UNIT = re.compile(
    "([零一二两三四五六七八九十百]+)(?=(?:个)?(?:天|年|次|小时|个月|月|日|晚|周|倍|岁|号|人|元|块|分))"
)
_SECTION_LINE = re.compile(r"^(\d+(?:\.\d+)+)\s+(\S.*)$")
_CHAPTER_LINE = re.compile(r"^#{2,3}\s*(\d+)[\s.、]+(\S.*)$")
_WORD_CHARS = re.compile(r"\w")
_CJK = re.compile("[\u3400-\u9fff]")
_NUMBER = re.compile(r"^[\d.%]+$")


class HandbookFormatError(ValueError):
    """The handbook text has no numbered sections or repeats a section number."""


@dataclass(frozen=True)
class Section:
    """One numbered clause of the handbook, e.g. 5.2 under chapter 5 报销."""

    number: str
    chapter: str
    title: str
    text: str
    line: int

    @property
    def citation(self) -> str:
        """How a reply names the section: 第5.2条."""
        return f"第{self.number}条"


@dataclass(frozen=True, kw_only=True)
class Hit:
    """A section ranked for a question. `coverage` is the share of the question's informative
    weight the section contains (0..1); `score`, which ranks the hits, is the BM25 score times
    the coverage, so a section that explains all of a short question beats a long one that
    repeats a single word of it."""

    section: Section
    score: float
    coverage: float
    bm25: float
    matched_weight: float


@dataclass(frozen=True)
class HandbookAnswer:
    """The reply text quoting the matched section(s), and the hits it quotes (best first)."""

    text: str
    hits: tuple[Hit, ...]

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(hit.section for hit in self.hits)


def parse_handbook(text: str, *, source: str = "<handbook>") -> tuple[Section, ...]:
    """The numbered sections ("2.3 事假:...") of a Markdown handbook with chapter headings
    ("## 2 假期"). A line that is neither a heading nor a numbered line continues the section
    before it; text before the first section (title, preface) is not a section."""
    sections: list[Section] = []
    chapter = ""
    seen: dict[str, int] = {}
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if heading := _CHAPTER_LINE.match(line):
            chapter = heading.group(2).strip()
            continue
        if line.startswith("#"):
            continue
        if match := _SECTION_LINE.match(line):
            number, body = match.group(1), match.group(2).strip()
            if number in seen:
                raise HandbookFormatError(
                    f"{source}:{line_number}: section {number} is already defined on line "
                    f"{seen[number]}; give every section its own number"
                )
            seen[number] = line_number
            sections.append(Section(number, chapter, _title_of(body), body, line_number))
        elif sections and chapter == sections[-1].chapter:
            sections[-1] = replace(sections[-1], text=sections[-1].text + line)
    if not sections:
        raise HandbookFormatError(
            f"{source}: no numbered sections found; write each clause on its own line starting "
            f"with its number, e.g. '2.5 婚假:3天。', under headings like '## 2 假期'"
        )
    return tuple(sections)


def _title_of(body: str) -> str:
    head, colon, _ = body.partition(":")
    if not colon:
        head, colon, _ = body.partition("=")
    if colon and 0 < len(head) <= _TITLE_MAX_CHARS and not re.search(r"[,,;;。=]", head):
        return head.strip()
    return ""


class _Analyzer:
    """Turns a text into BM25 features (see the module docstring)."""

    def __init__(self, segment: Segmenter) -> None:
        self._segment = segment
        canonical: dict[str, str] = {}
        for term, variants in _CANONICAL_TERMS.items():
            canonical[term] = term
            for variant in variants:
                canonical[variant] = term
        self._canonical = canonical
        alternatives = sorted(canonical, key=lambda term: (-len(term), term))
        self._terms = re.compile("|".join(re.escape(term) for term in alternatives))

    def features(self, text: str) -> list[str]:
        features: list[str] = []
        run: list[str] = []
        for word in self.words(text):
            if len(word) == 1 and _CJK.match(word):
                run.append(word)
                continue
            features.extend(_bigrams("".join(run)))
            run = []
            features.append(f"w:{word}")
            if _CJK.search(word):
                features.extend(_bigrams(word))
        features.extend(_bigrams("".join(run)))
        return features

    def words(self, text: str) -> list[str]:
        """The normalised, canonical words of a text without stop words and punctuation."""
        text = _NUMERAL_BEFORE_UNIT.sub(lambda m: _numeral_to_digits(m.group(1)),
                                        unicodedata.normalize("NFKC", text).lower())
        words: list[str] = []
        position = 0
        for match in self._terms.finditer(text):
            words.extend(self._segmented(text[position : match.start()]))
            words.append(self._canonical[match.group(0)])
            position = match.end()
        words.extend(self._segmented(text[position:]))
        return words

    def _segmented(self, text: str) -> Iterable[str]:
        if not text.strip():
            return
        for piece in self._segment(text):
            word = piece.strip()
            if not word or not _WORD_CHARS.search(word) or word in _STOP_WORDS:
                continue
            yield _WORD_SYNONYMS.get(word, word)


def _bigrams(text: str) -> list[str]:
    return [f"b:{text[i : i + 2]}" for i in range(len(text) - 1)]


def _numeral_to_digits(numeral: str) -> str:
    """一 → 1, 十五 → 15, 二十 → 20, 一百零八 → 108; anything else is left as written."""
    total, current = 0, 0
    for char in numeral:
        if char in _NUMERAL_VALUES:
            current = _NUMERAL_VALUES[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return str(total + current)


def _unknown_weight(feature: str, known: Mapping[str, float], unknown_idf: float) -> float:
    """How much a question feature the handbook never uses counts against coverage.

    A word like "试用期", "离职" or "python" counts like a known word with its bigrams: the idf of
    an unseen feature for the word and for each unseen bigram. Nothing counts for numbers, for
    bigrams (those of unknown words are counted with the word; the rest straddle word
    boundaries), for words whose bigrams the handbook all has ("证明" in 病假证明), and for words
    jieba glued to a function word ("天要", "男员工") whose rest is known or one character."""
    if not feature.startswith("w:") or _NUMBER.match(feature[2:]):
        return 0.0
    word = _strip_function_words(feature[2:])
    if not word or f"w:{word}" in known:
        return 0.0
    if not _CJK.search(word):
        return unknown_idf
    if len(word) == 1:
        return 0.0
    unseen_bigrams = sum(1 for bigram in _bigrams(word) if bigram not in known)
    return unknown_idf * (1 + unseen_bigrams) if unseen_bigrams else 0.0


def _strip_function_words(word: str) -> str:
    """"男员工" → "男", "天要" → "天": a word without the stop words it starts or ends with."""
    while True:
        stripped = word.strip(_STOP_CHARS)
        for stop in _STOP_WORDS:
            if len(stop) > 1 and stripped != stop:
                stripped = stripped.removeprefix(stop) if stripped.startswith(stop) else stripped
                stripped = stripped.removesuffix(stop) if stripped.endswith(stop) else stripped
        if stripped == word:
            return word
        word = stripped


def _default_segmenter() -> Segmenter:
    try:
        import jieba
    except ImportError as error:  # pragma: no cover - jieba is a dependency of hrbot
        raise ImportError("the handbook search needs jieba: pip install 'jieba>=0.42.1'") from error
    segment: Segmenter = jieba.lcut
    return segment


class HandbookIndex:
    """BM25 over the handbook's sections; `answer` quotes the best match or returns None.

    Building takes a few milliseconds once the segmenter is loaded; jieba's default dictionary
    takes ~0.6-0.9 s to load on its first use in a process, so build the index when the action
    server starts rather than on the first question."""

    def __init__(
        self,
        sections: Sequence[Section],
        *,
        segment: Segmenter | None = None,
        document_name: str = DOCUMENT_NAME,
        min_coverage: float = MIN_COVERAGE,
        min_matched_weight: float = MIN_MATCHED_WEIGHT,
    ) -> None:
        if not sections:
            raise ValueError("HandbookIndex needs at least one section; parse the handbook first")
        self.sections = tuple(sections)
        self.document_name = document_name
        self.min_coverage = min_coverage
        self.min_matched_weight = min_matched_weight
        self._analyzer = _Analyzer(segment or _default_segmenter())
        self._documents = [Counter(self._section_features(section)) for section in self.sections]
        lengths = [sum(document.values()) for document in self._documents]
        average = sum(lengths) / len(lengths) or 1.0
        self._length_norms = [_K1 * (1 - _B + _B * length / average) for length in lengths]
        frequencies: Counter[str] = Counter()
        for document in self._documents:
            frequencies.update(document.keys())
        count = len(self._documents)
        self._idf = {feature: _idf(count, df) for feature, df in frequencies.items()}
        self._unknown_idf = _idf(count, 0)
        self._weight_unit = 2 * _idf(count, 1)
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for index, document in enumerate(self._documents):
            for feature, tf in document.items():
                self._postings.setdefault(feature, []).append((index, tf))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<handbook>", segment: Segmenter | None = None,
                  document_name: str = DOCUMENT_NAME) -> HandbookIndex:
        return cls(parse_handbook(text, source=source), segment=segment, document_name=document_name)

    @classmethod
    def from_file(cls, path: str | Path, *, segment: Segmenter | None = None,
                  document_name: str = DOCUMENT_NAME) -> HandbookIndex:
        """The index of a Markdown handbook file (UTF-8)."""
        path = Path(path)
        return cls.from_text(path.read_text(encoding="utf-8"), source=str(path), segment=segment,
                             document_name=document_name)

    def _section_features(self, section: Section) -> list[str]:
        features = self._analyzer.features(section.text)
        if section.title:
            features += self._analyzer.features(section.title)
        return features + self._analyzer.features(section.chapter)

    def search(self, question: str, top_k: int = 3) -> list[Hit]:
        """The `top_k` sections sharing anything with the question, best first (ties in
        handbook order), whether or not they are good enough to answer with."""
        query = set(self._analyzer.features(question))
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        total_weight = 0.0
        for feature in query:
            idf = self._idf.get(feature)
            if idf is None:
                total_weight += _unknown_weight(feature, self._idf, self._unknown_idf)
                continue
            total_weight += idf
            for index, tf in self._postings[feature]:
                saturated = tf * (_K1 + 1) / (tf + self._length_norms[index])
                scores[index] = scores.get(index, 0.0) + idf * saturated
                matched[index] = matched.get(index, 0.0) + idf
        hits = [Hit(section=self.sections[index], score=bm25 * matched[index] / total_weight,
                    coverage=matched[index] / total_weight, bm25=bm25, matched_weight=matched[index])
                for index, bm25 in sorted(scores.items())]
        return sorted(hits, key=lambda hit: -hit.score)[:top_k]

    def is_good_enough(self, hit: Hit) -> bool:
        """Whether a hit is strong enough to quote rather than hand over to a human."""
        return (hit.coverage >= self.min_coverage
                and hit.matched_weight >= self.min_matched_weight * self._weight_unit)

    def answer(self, question: str) -> HandbookAnswer | None:
        """The best section, plus a second one scoring nearly as well, quoted with their numbers;
        None when no section matches well enough (the bot then offers a human)."""
        hits = self.search(question, top_k=MAX_SECTIONS + 1)
        if not hits or not self.is_good_enough(hits[0]):
            return None
        best = hits[0]
        chosen = [best] + [
            hit for hit in hits[1:MAX_SECTIONS]
            if self.is_good_enough(hit) and hit.coverage >= RELATED_COVERAGE_RATIO * best.coverage
            and hit.score >= RELATED_SCORE_RATIO * best.score
        ]
        return HandbookAnswer(self._quote(chosen), tuple(chosen))

    def _quote(self, hits: Sequence[Hit]) -> str:
        if len(hits) == 1:
            section = hits[0].section
            return f"根据《{self.document_name}》{section.citation}:“{section.text}”"
        lines = [f"根据《{self.document_name}》:"]
        lines += [f"· {hit.section.citation}:“{hit.section.text}”" for hit in hits]
        return "\n".join(lines)


def _idf(count: int, document_frequency: int) -> float:
    return math.log(1 + (count - document_frequency + 0.5) / (document_frequency + 0.5))
