"""Deterministic synthetic corpus for benchmarks, shaped like scraped-news Hexo archives.

About 80 % of the posts are scraped news (YAML front matter with an RFC 822 date, a raw-HTML
body with stock keyword links, images, and the boilerplate tail: comments, a <style> block,
a QR promo, an editor line); 20 % are hand-written Markdown posts. Post i is the same for
any N, so the first 1 000 posts of a 10 000 corpus are the 1 000 corpus.

    python bench/make_corpus.py OUT N [--seed S]
"""

from __future__ import annotations

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2024, 1, 1, tzinfo=UTC)
QR = "https://n.sinaimg.cn/finance/cece9e13/20200514/343233024.png"
SOURCES = [
    ("金融", "新浪财经", "新浪财经－国內"),
    ("金融", "新浪财经", "新浪财经－国际"),
    ("科技", "新浪科技", "要闻"),
    ("科技", "36氪", "资讯"),
]
WORDS = (
    "经济 市场 企业 发展 创新 产业 投资 消费 政策 改革 开放 数字 绿色 金融 科技 制造 "
    "服务 区域 协同 增长 结构 质量 效率 平台 生态 项目 资本 人才 城市 乡村"
).split()
EN_WORDS = (
    "feed reader archive static site python release notes build cache parser "
    "template digest schedule server memory speed design test review"
).split()


def sentence(rng: random.Random) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))) + "。"


def news_post(i: int, rng: random.Random, date: datetime) -> str:
    source = SOURCES[i % len(SOURCES)]
    paragraphs = []
    for p in range(rng.randint(4, 14)):
        text = "".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        if p == 1:
            code = f"sz{300000 + rng.randint(0, 999):06d}"
            cut = len(text) // 2
            text = (
                f'{text[:cut]}<span id="stock_{code}"><a href="https://finance.sina.com.cn/'
                f'realstock/company/{code}/nc.shtml" class="keyword" target="_blank">'
                f"{text[cut : cut + 3]}</a></span>{text[cut + 3 :]}"
            )
        paragraphs.append(f'<p cms-style="font-L">\u3000\u3000{text}</p>')
        if p == 2 and rng.random() < 0.6:
            paragraphs.append(
                f'<div class="img_wrapper"><img src="https://n.sinaimg.cn/finance/transform/'
                f'w550h{300 + i % 90}/{date:%Y%m%d}/{i:06d}.jpg" alt="图{i}"></div>'
            )
    thumb = QR if i % 3 == 0 else f"https://n.sinaimg.cn/finance/transform/w550h365/{i:06d}.jpg"
    tail = (
        "<!-- news_keyword_pub -->\n\n<!-- 文末二维码 start -->\n"
        "            <style>\n            .appendQr_wrap&#123;border:1px solid #E6E6E6;&#125;\n"
        "            </style>\n"
        '            <div class="clearfix appendQr_wrap">\n'
        f'                <div class="appendQr_normal"><img src="{QR}"></div>\n'
        '                <div class="appendQr_normal_txt">'
        "海量资讯、精准解读，尽在新浪财经APP</div>\n"
        "            </div>\n\n"
        f'<p class="article-editor">责任编辑：编辑{i % 12} </p>\n'
    )
    return (
        f"\n---\ntitle: '{rng.choice(WORDS)}{rng.choice(WORDS)}：第{i}号{rng.choice(WORDS)}报告'\n"
        f"categories: \n - {source[0]}\n - {source[1]}\n - {source[2]}\n"
        f"headimg: '{thumb}'\nauthor: {source[1]}\ncomments: false\n"
        f"date: {date:%a, %d %b %Y %H:%M:%S} GMT\nthumbnail: '{thumb}'\n---\n\n"
        '<div>   \n<p cms-style="font-L">\u3000\u3000作者：财经资讯</p>\n'
        + "\n".join(paragraphs)
        + "\n\n\n"
        + tail
        + "\n</div>\n            "
    )


def markdown_post(i: int, rng: random.Random, date: datetime) -> str:
    words = lambda n: " ".join(rng.choice(EN_WORDS) for _ in range(n))  # noqa: E731
    body = [f"{words(30).capitalize()}.", "<!-- more -->", f"## {words(3).title()}"]
    body += [f"{words(rng.randint(40, 90)).capitalize()}." for _ in range(rng.randint(3, 8))]
    body += ["- " + words(5) for _ in range(3)]
    body += ["```python", f"print('post {i}')", "```", f"![figure](/images/{i}.png)"]
    return (
        f"---\ntitle: {words(4).title()} {i}\ndate: {date.astimezone(UTC):%Y-%m-%d %H:%M:%S}\n"
        f"tags: [{rng.choice(EN_WORDS)}, {rng.choice(EN_WORDS)}]\ncategories: [blog]\n---\n\n"
        + "\n\n".join(body)
        + "\n"
    )


def write_corpus(out: Path, count: int, seed: int = 1) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        rng = random.Random(seed * 1_000_003 + i)
        date = START + timedelta(seconds=rng.randrange(2 * 365 * 86400))
        markdown = rng.random() < 0.2
        text = markdown_post(i, rng, date) if markdown else news_post(i, rng, date)
        folder = out / ("blog" if markdown else "news") / f"{i // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"post-{i:06d}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_corpus(args.out, args.count, args.seed)


if __name__ == "__main__":
    main()
