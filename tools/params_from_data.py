#!/usr/bin/env python3
"""Writes rules/parameters/wage_base.toml and the minimum living lines of rules/parameters/hardship.toml from
shared/data/provincial_wages.csv and shared/data/minimum_living_lines.csv (see shared/data/README.md).

    python3 tools/params_from_data.py ../shared/data

Never interpolates: a figure the data does not have is simply absent, and the policy's lookup carries the
province's latest earlier figure forward (marked estimate) before it falls back to the macro-region or the nation.
Figures whose `verified` column is not `yes` are written with `estimate = true`.

Each value's `source` is a citation a reader can check: the issuing body, the document (its number or title, or
what it publishes), its date, and an official address (gov.cn) where the data names one, in Chinese as the
documents are. The data's own source column (reposts, mirrors, what agreed, what was not found) and its notes go
to `provenance`, which is for analysts and which reports never show. A living line with no citation written below
stops the generator: a new row needs its citation written by hand, never guessed.
"""
import csv
import pathlib
import re
import sys

PROVINCES = {
    "北京": "Beijing", "天津": "Tianjin", "河北": "Hebei", "山西": "Shanxi", "内蒙古": "Inner Mongolia",
    "辽宁": "Liaoning", "吉林": "Jilin", "黑龙江": "Heilongjiang", "上海": "Shanghai", "江苏": "Jiangsu",
    "浙江": "Zhejiang", "安徽": "Anhui", "福建": "Fujian", "江西": "Jiangxi", "山东": "Shandong", "河南": "Henan",
    "湖北": "Hubei", "湖南": "Hunan", "广东": "Guangdong", "广西": "Guangxi", "海南": "Hainan", "重庆": "Chongqing",
    "四川": "Sichuan", "贵州": "Guizhou", "云南": "Yunnan", "西藏": "Tibet", "陕西": "Shaanxi", "甘肃": "Gansu",
    "青海": "Qinghai", "宁夏": "Ningxia", "新疆": "Xinjiang",
}
REGIONS = {"东部地区": "East", "中部地区": "Central", "西部地区": "West", "东北地区": "Northeast", "全国": "national"}
NAMES = {**PROVINCES, **REGIONS}
ORDER = list(REGIONS.values())[-1:] + list(REGIONS.values())[:-1] + list(PROVINCES.values())


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def half_up(x):
    return int(x + 0.5)


ZH_NAMES = {v: k for k, v in NAMES.items()}
# A province's full name, as its own bodies sign: 湖南省, 新疆维吾尔自治区, 重庆市.
FULL_NAMES = {
    **{zh: zh + "省" for zh in PROVINCES},
    **{zh: zh + "市" for zh in ("北京", "天津", "上海", "重庆")},
    "内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区", "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
}


def whole(region):
    """How a province's own release names its whole territory: 全省, 全区 or 全市."""
    return "全" + FULL_NAMES[ZH_NAMES[region]][-1]


def official_addresses(text):
    """The gov.cn addresses the data names for a row, in the order given."""
    return re.findall(r"\b(?:[a-z0-9-]+\.)+gov\.cn/[^\s;,，；)）]*", text)


def zh_date(text):
    """The first date (YYYY-MM-DD or YYYY-MM) of a text, written in Chinese, or ""."""
    m = re.search(r"(20\d\d)-(\d\d)(?:-(\d\d))?", text)
    if not m:
        return ""
    y, mo, d = m.group(1), int(m.group(2)), m.group(3)
    return f"{y}年{mo}月{int(d)}日" if d else f"{y}年{mo}月"


def wage_citation(region, year, src):
    """The wage figure's citation: who published it, where, when (see the module's doc)."""
    what = "城镇非私营单位就业人员年平均工资"
    head = re.split(r" \(| via |;", src)[0]
    title = re.search(r"《[^》]+》", head)
    m = re.match(r"中国统计年鉴(\d{4})", src)
    if m:
        cite = f"国家统计局《中国统计年鉴{m.group(1)}》，分地区{what}（{year}年）"
    elif src.startswith("NBS") or "monthly equivalent" in src:
        scope = "全国" if region == "national" else "分区域"
        date = zh_date(head)
        cite = f"国家统计局{date}发布的{year}年{scope}{what}"
        if "monthly equivalent" in src:
            cite += "（按月平均额公布）"
    elif (issuer := re.search(r"[\u4e00-\u9fff]{2,12}?统计局", src)) is not None:
        date = zh_date(head)
        body = issuer.group(0)
        if body.startswith(ZH_NAMES[region]):
            body = FULL_NAMES[ZH_NAMES[region]] + "统计局"
        cite = f"{body}{date}发布的{year}年{whole(region)}{what}"
        if title:
            cite += f"（{title.group(0)}）"
    elif (book := re.search(r"中国统计年鉴(\d{4})", src)) is not None:
        cite = f"国家统计局《中国统计年鉴{book.group(1)}》，分地区{what}（{year}年）"
    else:
        cite = f"{FULL_NAMES[ZH_NAMES[region]]}{year}年{what}"
    for address in official_addresses(src)[:1]:
        cite += f"，{address}"
    return cite


def wage_rows(data):
    rows = []
    with open(data / "provincial_wages.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            region, year, src = NAMES[r["region"]], int(r["year"]), r["source_url_or_title"].strip()
            annual = r["annual_wage_yuan"].strip()
            if annual:
                rows.append((region, year, half_up(int(annual) / 12), r["verified"].strip() != "yes",
                             wage_citation(region, year, src),
                             f"{src}; {int(annual):,}/year ÷ 12 (城镇非私营单位就业人员年平均工资), "
                             f"verified: {r['verified'].strip() or 'no'}"))
                continue
            # The 2023 macro-region figures were published only as monthly equivalents, quoted in the source.
            m = re.search(r"monthly equivalent.*?: (\d+) yuan/month", src)
            if m and region in REGIONS.values():
                rows.append((region, year, int(m.group(1)), True, wage_citation(region, year, src),
                             f"{src}; annual figure not found, the published monthly equivalent is used"))
    return rows


def write_wages(data, out):
    rows = sorted(wage_rows(data), key=lambda r: (r[1], ORDER.index(r[0])))
    s = [
        "# The wage base: the previous year's average monthly wage of employed persons in urban non-private units",
        "# (城镇非私营单位就业人员年平均工资 ÷ 12, rounded half up) in the handling procuratorate's province.",
        "# A decision in year Y uses the figure for year Y − 1, in force from Y-01-01 to Y-12-31.",
        "# Generated by tools/params_from_data.py from the gathered wage data: every figure found, none",
        "# interpolated. Where a province's figure for Y − 1 is missing, the lookup carries the province's latest",
        "# earlier figure forward (and the report says so, as an estimate), before its macro-region's or the",
        "# nation's figure. Figures with a single source are marked `estimate`. `source` cites the publication;",
        "# `provenance` says where the figure was found and how it was checked (for analysts; never shown).",
        "",
        "[wage_base]",
        'title = "Average monthly wage of employees in the previous year (上一年度职工月平均工资)"',
        'unit = "CNY/month"',
        'reference = "Six-Department Opinions (2014) Part III; SPP Detailed Rules (2021), amount provisions"',
        "by_region = true",
    ]
    for region, year, monthly, estimate, src, provenance in rows:
        s += ["", "[[wage_base.values]]", f"region = {q(region)}", f"year = {year}", f"value = {monthly}",
              f'from = "{year + 1}-01-01"', f'until = "{year + 1}-12-31"',
              f"estimate = {'true' if estimate else 'false'}", f"source = {q(src)}",
              f"provenance = {q(provenance)}"]
    out.write_text("\n".join(s) + "\n", encoding="utf-8")


SCOPE_RANK = {"province": 0, "national": 0, "tier1": 1, "capital": 2}
SCOPE_WORDS = {
    "capital": "the provincial capital's line (省会城市标准), which overstates the line of rural counties",
    "tier1": "the top tier's line (一类地区标准), which overstates the line of lower tiers",
    "province": "the province's standard or average",
    "national": "the national average",
}


# The citation of each living line used, by (region, year, scope): the document that sets the standard, or, where
# only a news report of it is known, the body and what it set. "所载调整前标准": the year-end line is the one a
# later notice raises from.
LINE_CITATIONS = {
    ("全国", 2022, "national"): "民政部2023年第一季度例行新闻发布会公布的全国城乡低保平均标准（截至2023年1月底）",
    ("北京", 2022, "province"): "北京市民政局公布的本市城乡统一低保标准（2022年7月起执行）",
    ("北京", 2023, "province"): "京民社救发〔2023〕240号（本市城乡统一低保标准，2023年7月起执行）",
    ("河北", 2024, "capital"): "石家庄市民政局公布的城乡低保标准（2024年）",
    ("山西", 2022, "capital"): "并民发〔2023〕19号（太原市城乡低保标准，所载调整前标准）",
    ("山西", 2023, "capital"): "并民发〔2023〕19号（太原市城乡低保标准，2023年1月1日起执行）",
    ("内蒙古", 2022, "province"): "内蒙古自治区《关于2022年全区社会救助标准有关事宜的通知》（2022年1月1日起执行）",
    ("内蒙古", 2023, "province"): "内蒙古自治区人民政府2023年社会救助标准的通知；内蒙古自治区民政厅2023年6月26日新闻发布会",
    ("辽宁", 2022, "province"): "辽宁省民政厅2023年新闻发布会公布的全省城乡低保平均标准（2022年7月调整后）",
    ("辽宁", 2023, "province"): "辽宁省民政厅2023年新闻发布会公布的全省城乡低保平均标准（2023年7月调整后）",
    ("辽宁", 2024, "capital"): "沈阳市2024年调整城乡低保标准的通知（依据辽民发〔2024〕18号，2024年7月1日起执行）",
    ("黑龙江", 2022, "capital"): "哈尔滨市人民政府常务会议2022年10月20日通过的城乡低保标准调整方案（2022年1月1日起执行）",
    ("黑龙江", 2024, "capital"): "哈尔滨市城乡低保标准（2024年）",
    ("上海", 2022, "province"): "沪民规〔2023〕6号（本市城乡统一低保标准，所载调整前标准）",
    ("上海", 2023, "province"): "沪民规〔2023〕6号（本市城乡统一低保标准，2023年7月1日起执行）",
    ("上海", 2024, "province"): "上海市城乡统一低保标准（2024年7月1日起执行）",
    ("浙江", 2022, "capital"): "杭州市2023年调整低保标准的通知（所载调整前标准）",
    ("浙江", 2023, "capital"): "杭州市民政局、杭州市财政局调整低保标准的通知（2023年7月31日起执行）",
    ("浙江", 2024, "capital"): "杭州市2024年12月24日调整低保标准的通知（所载调整前标准，2025年1月23日前执行）",
    ("安徽", 2023, "capital"): "合肥市民政局、合肥市财政局《关于调整部分社会救助及补贴标准的通知》（2023年7月1日起执行）",
    ("江西", 2022, "capital"): "《江西日报》2022年3月21日报道的南昌市低保标准（2022年1月1日起执行）",
    ("山东", 2022, "capital"): "济南市调整城乡低保标准的通知（2022年1月1日起执行）",
    ("山东", 2023, "capital"): "济民发〔2024〕3号（济南市城乡低保标准，所载调整前标准）",
    ("山东", 2024, "capital"): "济民发〔2024〕3号（济南市城乡低保标准，2024年1月1日起执行）",
    ("河南", 2023, "province"): "河南省民政厅、河南省财政厅2023年1月15日通知（全省农村低保标准下限，2023年1月1日起执行）",
    ("湖北", 2022, "capital"): "《长江日报》2022年4月26日报道的武汉市城乡低保标准（2022年4月起执行）",
    ("湖北", 2023, "capital"): "《长江日报》报道的武汉市城乡低保标准（2023年4月1日起执行）",
    ("广东", 2022, "capital"): "广州市城乡统一低保标准（2022年）",
    ("广东", 2023, "tier1"): "广东省《2023年全省城乡低保最低标准》（一类地区）",
    ("广东", 2024, "capital"): "广州市城乡统一低保标准（2024年）",
    ("广西", 2022, "capital"): "南宁市人民政府调整城乡低保标准的通知（2022年4月1日起执行）",
    ("海南", 2023, "capital"): "海南省民政厅、海南省财政厅2023年调整城乡低保标准的通知（海口市，2023年9月起执行）",
    ("重庆", 2022, "province"): "重庆市城乡低保标准（2022年）",
    ("四川", 2022, "province"): "川民发〔2022〕89号（全省城乡低保标准低限，2022年7月起执行）",
    ("四川", 2023, "province"): "川民发〔2023〕100号（全省城乡低保标准低限，2023年7月起执行）",
    ("贵州", 2022, "province"): "贵州省2022年城乡低保提标方案（2022年4月1日起执行）",
    ("贵州", 2023, "province"): "《贵州省2024年城乡低保标准和孤儿基本生活最低养育标准提标方案》（所载调整前的全省平均标准）",
    ("贵州", 2024, "province"): "《贵州省2024年城乡低保标准和孤儿基本生活最低养育标准提标方案》（2024年4月1日起执行）",
    ("云南", 2022, "province"): "云南省民政厅2022年调整城乡低保省级指导标准的通知（2022年7月1日起执行）",
    ("云南", 2023, "province"): "云民发〔2023〕72号（城乡低保省级指导标准，2023年7月1日起执行）",
    ("云南", 2024, "province"): "云民发〔2024〕58号（城乡低保省级指导标准，2024年7月起执行）",
    ("甘肃", 2023, "capital"): "兰州市民政局2023年3月30日公布的城乡低保标准",
    ("青海", 2022, "province"): "青海省城乡低保标准（2022年）",
    ("宁夏", 2024, "province"): "宁夏回族自治区城乡低保标准（2024年1月1日起执行）",
}


def line_citation(region, year, scope, src):
    """A living line's citation (from [`LINE_CITATIONS`]), with the gov.cn address the data names for it."""
    key = (ZH_NAMES[region], year, scope)
    if key not in LINE_CITATIONS:
        sys.exit(f"tools/params_from_data.py: no citation for the living line {key}; write one in LINE_CITATIONS")
    cite = LINE_CITATIONS[key]
    for address in official_addresses(src)[:1]:
        cite += f"，{address}"
    return cite


def living_lines(data, column):
    best = {}
    with open(data / "minimum_living_lines.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cell = r[column].strip()
            if not cell:
                continue
            key = (NAMES[r["region"]], int(r["year"]))
            cand = (SCOPE_RANK[r["scope"]], r)
            if key not in best or cand[0] < best[key][0]:
                best[key] = cand
    out = []
    for (region, year), (_, r) in sorted(best.items(), key=lambda kv: (kv[0][1], ORDER.index(kv[0][0]))):
        value = float(r[column])
        scope = r["scope"]
        estimate = r["verified"].strip() != "yes" or scope in ("capital", "tier1") or region == "national"
        provenance = (f"{r['source'].strip()}; {SCOPE_WORDS[scope]}; in force at the end of {year}; "
                      f"verified: {r['verified'].strip() or 'no'}; {r['notes'].strip()}")
        out.append((region, year, value, estimate, scope, line_citation(region, year, scope, r["source"]),
                    provenance))
    return out


def toml_number(x):
    return str(int(x)) if x == int(x) else f"{x:.2f}"


def write_lines(data, out):
    text = out.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[hardship_very_difficult_multiple]")
    if not sep:
        sys.exit(f"{out}: no [hardship_very_difficult_multiple] table to keep")
    head = head.split("[minimum_living_allowance_line]")[0]
    s = [head.rstrip("\n"), ""]
    for name, column, what in [
        ("minimum_living_allowance_line", "urban_monthly", "urban (城市低保标准)"),
        ("minimum_living_allowance_line_rural", "rural_monthly", "rural (农村低保标准)"),
    ]:
        s += [
            f"[{name}]",
            f'title = "Minimum living allowance line, {what}, per person per month"',
            'unit = "CNY/person/month"',
            'reference = "Provincial civil-affairs standards (最低生活保障标准) in force at the end of each year; '
            'a year\'s line is used for decisions in that year"',
            "by_region = true",
        ]
        for region, year, value, estimate, scope, src, provenance in living_lines(data, column):
            s += ["", f"[[{name}.values]]", f"region = {q(region)}", f"year = {year}",
                  f"value = {toml_number(value)}", f'from = "{year}-01-01"', f'until = "{year}-12-31"',
                  f"estimate = {'true' if estimate else 'false'}", f"source = {q(src)}",
                  f"provenance = {q(provenance)}"]
            if scope in ("capital", "tier1"):
                s.append(f"note = {q(scope)}")
        s.append("")
    out.write_text("\n".join(s) + "\n" + sep + rest, encoding="utf-8")


if __name__ == "__main__":
    data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    root = pathlib.Path(__file__).resolve().parent.parent / "rules" / "parameters"
    write_wages(data, root / "wage_base.toml")
    write_lines(data, root / "hardship.toml")
