"""Constants and helpers the tests share: the tiny Chinese HR project, the fixed reference
time and the environment for child processes. (Imported by conftest.py and test modules; tests/
is on sys.path because conftest.py lives there.)

The tiny project has six intents of eight examples each, four entity types, a synonym, a
lookup table, a regex and a jieba user dictionary with a word without frequency and one with
frequency 0 (which jieba splits by force).
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SRC_DIR = REPO_ROOT / "src"
REFERENCE_TIME = datetime.fromisoformat("2026-11-21T10:00:00+08:00")
REFERENCE_TIME_TEXT = "2026-11-21T10:00:00+08:00"

TINY_CONFIG = """\
language: zh
pipeline:
  - name: JiebaTokenizer
    dictionary_path: data/userdict.txt
  - name: RegexFeaturizer
  - name: NgramFeaturizer
    analyzer: char
    min_ngram: 1
    max_ngram: 3
  - name: NgramFeaturizer
    analyzer: word
    min_ngram: 1
    max_ngram: 2
  - name: LinearIntentClassifier
  - name: CRFEntityExtractor
  - name: RegexEntityExtractor
  - name: EntitySynonymMapper
  - name: ChineseValueExtractor
  - name: FallbackClassifier
    threshold: 0.2
    ambiguity_threshold: 0.05
"""

# A pipeline without jieba: trains and archives in a fraction of a second.
LIGHT_CONFIG = """\
language: zh
pipeline:
  - name: WhitespaceTokenizer
  - name: NgramFeaturizer
    analyzer: char
    min_ngram: 1
    max_ngram: 2
  - name: LinearIntentClassifier
"""

TINY_NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 您好
    - 早上好
    - 下午好
    - 嗨
    - 你好呀
    - 哈喽
    - 在吗
- intent: goodbye
  examples: |
    - 再见
    - 拜拜
    - 下次见
    - 先这样吧再见
    - 回头见
    - 我走了拜拜
    - 好的再见
    - 明天见
- intent: leave_balance
  examples: |
    - 我还剩几天[年假](leave_type)
    - [调休](leave_type)还有多少
    - 查一下我的[年假](leave_type)余额
    - [病假](leave_type)还剩几天
    - 剩余[年休假](leave_type:年假)天数
    - 我的假期余额
    - [事假](leave_type)额度还剩多少
    - 帮我看看[年假](leave_type)还有几天
- intent: request_leave
  examples: |
    - 请[3天](duration)[年假](leave_type)
    - 我想[明天](date)请[一天](duration)[病假](leave_type)
    - [后天](date)请[2天](duration)[事假](leave_type)
    - 帮我请[5天](duration)[年假](leave_type)
    - [明天](date)请[半天](duration)[调休](leave_type)
    - 请[4天](duration)[病假](leave_type)
    - 我要请[两天](duration)[年假](leave_type)
    - [下周一](date)请[1天](duration)[事假](leave_type)
- intent: salary_query
  examples: |
    - [上个月](month)工资多少
    - 查工资
    - [10月](month)工资条发我看看
    - 我[这个月](month)工资发了吗
    - 看一下我的工资条
    - [9月份](month)实发多少
    - 工资什么时候发
    - [上月](month)到手多少钱
- intent: attendance_correction
  examples: |
    - [昨天](date)忘打卡了
    - 我要补卡
    - [今天](date)早上忘记打卡
    - 申请补签
    - [前天](date)下班没打卡
    - 帮我补个卡
    - 打卡记录缺了怎么补
    - [周一](date)漏打卡了
"""

TINY_EXTRAS = """\
version: "3.1"
nlu:
- synonym: 年假
  examples: |
    - 年休假
    - 带薪年假
- lookup: leave_type
  examples: |
    - 年假
    - 年休假
    - 病假
    - 事假
    - 调休
- regex: employee_id
  examples: |
    - E\\d{5}
"""

# 补卡 has no frequency (jieba suggests one); 打卡 has frequency 0 (jieba splits it by force).
TINY_USERDICT = "年休假 8000 n\n调休 15000 n\n补卡\n打卡 0\n年假\n"

TINY_DOMAIN = """\
version: "3.1"
intents:
  - greet
  - goodbye
  - leave_balance
  - request_leave
  - salary_query
  - attendance_correction
entities:
  - leave_type
  - duration
  - date
  - month
"""

TINY_FILES: Mapping[str, str] = {
    "config.yml": TINY_CONFIG,
    "data/nlu.yml": TINY_NLU,
    "data/extras.yml": TINY_EXTRAS,
    "data/userdict.txt": TINY_USERDICT,
    "domain.yml": TINY_DOMAIN,
}


def write_tiny_project(root: Path, overrides: Mapping[str, str] | None = None) -> Path:
    """Write the tiny project into `root`; `overrides` replaces (or adds) files by path."""
    files = {**TINY_FILES, **(overrides or {})}
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python: hrbot importable whether installed or not."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("HRBOT_REFERENCE_TIME", "HRBOT_TIMEZONE")}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SRC_DIR), os.environ.get("PYTHONPATH", "")) if p
    )
    env.update(extra)
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def browser_binaries(what: str) -> tuple[str, str]:
    """Debian's chromium and chromedriver from the PATH for the browser test of `what`; skip
    when they are absent, except under CI, which must run it."""
    import pytest

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    reason = (f"the {what} browser test needs chromium and chromedriver on the PATH "
              "(Debian: apt-get install chromium chromium-driver)")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + "; CI must run it")
    pytest.skip(reason)
