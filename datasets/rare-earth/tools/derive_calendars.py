#!/usr/bin/env python3
"""Derive the SSE and HKEX trading calendars 2018-2026 and write the dataset's calendars.toml
(crates/rebt-data/data/rare-earth/calendars.toml, where the crate that embeds it holds it).

A holiday here is a weekday (Mon-Fri) on which the exchange did not trade. They are derived
from the real index files in ../../../../shared/data/real/ (read only; nothing of them is
copied: the output holds dates of exchange closures, which are public facts):

- SSE (shared by SZSE): weekdays without a row in the SSE Composite file
  (cn_index_000001SH_hriszc.csv, to 2026-07-31), extended to 2026-10-09 by the whole-market
  margin-financing file (published on every trading day) and cross-checked against the
  Shenzhen Component (cn_index_399001SZ_hriszc.csv), the second SSE Composite source
  (cn_index_000001SH_willinxusheng.csv) and every A-share file (a stock row on a day the index
  has none would be a disagreement).
- HKEX: weekdays without a row in the Hang Seng Index file (hk_HSI_clamx4.csv, to 2026-07-24).

Both are compared with the closures the exchanges announced (NOTICES below, written from the
SSE/SZSE annual holiday notices, which follow the State Council's holiday arrangement, and from
the Hong Kong general holidays gazetted each year). Every difference is printed and explained
in the output's comments. Days after the last real row (HKEX from 2026-07-25, SSE from
2026-10-10) come from the notices alone.

Run from the repository root:  python3 datasets/rare-earth/tools/derive_calendars.py
(--check compares the output with the committed file instead of writing it).
"""

import datetime as dt
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
REAL = (HERE / "../../../../shared/data/real").resolve()
# The dataset's files live in the crate that embeds them (see ../README.md).
OUT = (HERE / "../../../crates/rebt-data/data/rare-earth/calendars.toml").resolve()
YEARS = range(2018, 2027)

# Closures announced in advance: (date, holiday). SSE: the weekdays inside each holiday period
# of the State Council's arrangement (make-up working Saturdays/Sundays are not trading days and
# are not listed: weekends are closed anyway). HKEX: the general holidays falling on weekdays,
# with the substitute days the Holidays Ordinance gives when a holiday falls on a Sunday.
NOTICES = {
    "SSE": """
2018-01-01 New Year's Day
2018-02-15 Spring Festival
2018-02-16 Spring Festival
2018-02-19 Spring Festival
2018-02-20 Spring Festival
2018-02-21 Spring Festival
2018-04-05 Qingming
2018-04-06 Qingming
2018-04-30 Labour Day
2018-05-01 Labour Day
2018-06-18 Dragon Boat Festival
2018-09-24 Mid-Autumn Festival
2018-10-01 National Day
2018-10-02 National Day
2018-10-03 National Day
2018-10-04 National Day
2018-10-05 National Day
2018-12-31 New Year's Day (2019)
2019-01-01 New Year's Day
2019-02-04 Spring Festival
2019-02-05 Spring Festival
2019-02-06 Spring Festival
2019-02-07 Spring Festival
2019-02-08 Spring Festival
2019-04-05 Qingming
2019-05-01 Labour Day
2019-05-02 Labour Day
2019-05-03 Labour Day
2019-06-07 Dragon Boat Festival
2019-09-13 Mid-Autumn Festival
2019-10-01 National Day
2019-10-02 National Day
2019-10-03 National Day
2019-10-04 National Day
2019-10-07 National Day
2020-01-01 New Year's Day
2020-01-24 Spring Festival
2020-01-27 Spring Festival
2020-01-28 Spring Festival
2020-01-29 Spring Festival
2020-01-30 Spring Festival
2020-01-31 Spring Festival (extended, COVID-19)
2020-04-06 Qingming
2020-05-01 Labour Day
2020-05-04 Labour Day
2020-05-05 Labour Day
2020-06-25 Dragon Boat Festival
2020-06-26 Dragon Boat Festival
2020-10-01 National Day and Mid-Autumn
2020-10-02 National Day and Mid-Autumn
2020-10-05 National Day and Mid-Autumn
2020-10-06 National Day and Mid-Autumn
2020-10-07 National Day and Mid-Autumn
2020-10-08 National Day and Mid-Autumn
2021-01-01 New Year's Day
2021-02-11 Spring Festival
2021-02-12 Spring Festival
2021-02-15 Spring Festival
2021-02-16 Spring Festival
2021-02-17 Spring Festival
2021-04-05 Qingming
2021-05-03 Labour Day
2021-05-04 Labour Day
2021-05-05 Labour Day
2021-06-14 Dragon Boat Festival
2021-09-20 Mid-Autumn Festival
2021-09-21 Mid-Autumn Festival
2021-10-01 National Day
2021-10-04 National Day
2021-10-05 National Day
2021-10-06 National Day
2021-10-07 National Day
2022-01-03 New Year's Day
2022-01-31 Spring Festival
2022-02-01 Spring Festival
2022-02-02 Spring Festival
2022-02-03 Spring Festival
2022-02-04 Spring Festival
2022-04-04 Qingming
2022-04-05 Qingming
2022-05-02 Labour Day
2022-05-03 Labour Day
2022-05-04 Labour Day
2022-06-03 Dragon Boat Festival
2022-09-12 Mid-Autumn Festival
2022-10-03 National Day
2022-10-04 National Day
2022-10-05 National Day
2022-10-06 National Day
2022-10-07 National Day
2023-01-02 New Year's Day
2023-01-23 Spring Festival
2023-01-24 Spring Festival
2023-01-25 Spring Festival
2023-01-26 Spring Festival
2023-01-27 Spring Festival
2023-04-05 Qingming
2023-05-01 Labour Day
2023-05-02 Labour Day
2023-05-03 Labour Day
2023-06-22 Dragon Boat Festival
2023-06-23 Dragon Boat Festival
2023-09-29 Mid-Autumn Festival and National Day
2023-10-02 Mid-Autumn Festival and National Day
2023-10-03 Mid-Autumn Festival and National Day
2023-10-04 Mid-Autumn Festival and National Day
2023-10-05 Mid-Autumn Festival and National Day
2023-10-06 Mid-Autumn Festival and National Day
2024-01-01 New Year's Day
2024-02-09 Spring Festival (New Year's Eve; exchange notice)
2024-02-12 Spring Festival
2024-02-13 Spring Festival
2024-02-14 Spring Festival
2024-02-15 Spring Festival
2024-02-16 Spring Festival
2024-04-04 Qingming
2024-04-05 Qingming
2024-05-01 Labour Day
2024-05-02 Labour Day
2024-05-03 Labour Day
2024-06-10 Dragon Boat Festival
2024-09-16 Mid-Autumn Festival
2024-09-17 Mid-Autumn Festival
2024-10-01 National Day
2024-10-02 National Day
2024-10-03 National Day
2024-10-04 National Day
2024-10-07 National Day
2025-01-01 New Year's Day
2025-01-28 Spring Festival
2025-01-29 Spring Festival
2025-01-30 Spring Festival
2025-01-31 Spring Festival
2025-02-03 Spring Festival
2025-02-04 Spring Festival
2025-04-04 Qingming
2025-05-01 Labour Day
2025-05-02 Labour Day
2025-05-05 Labour Day
2025-06-02 Dragon Boat Festival
2025-10-01 National Day and Mid-Autumn
2025-10-02 National Day and Mid-Autumn
2025-10-03 National Day and Mid-Autumn
2025-10-06 National Day and Mid-Autumn
2025-10-07 National Day and Mid-Autumn
2025-10-08 National Day and Mid-Autumn
2026-01-01 New Year's Day
2026-01-02 New Year's Day
2026-02-16 Spring Festival
2026-02-17 Spring Festival
2026-02-18 Spring Festival
2026-02-19 Spring Festival
2026-02-20 Spring Festival
2026-02-23 Spring Festival
2026-04-06 Qingming
2026-05-01 Labour Day
2026-05-04 Labour Day
2026-05-05 Labour Day
2026-06-19 Dragon Boat Festival
2026-09-25 Mid-Autumn Festival
2026-10-01 National Day
2026-10-02 National Day
2026-10-05 National Day
2026-10-06 National Day
2026-10-07 National Day
""",
    "HKEX": """
2018-01-01 New Year's Day
2018-02-16 Lunar New Year
2018-02-19 Lunar New Year (third day)
2018-03-30 Good Friday
2018-04-02 Easter Monday
2018-04-05 Ching Ming Festival
2018-05-01 Labour Day
2018-05-22 Buddha's Birthday
2018-06-18 Tuen Ng Festival
2018-07-02 HKSAR Establishment Day (substitute)
2018-09-25 Day after Mid-Autumn Festival
2018-10-01 National Day
2018-10-17 Chung Yeung Festival
2018-12-25 Christmas Day
2018-12-26 First weekday after Christmas
2019-01-01 New Year's Day
2019-02-05 Lunar New Year
2019-02-06 Lunar New Year
2019-02-07 Lunar New Year
2019-04-05 Ching Ming Festival
2019-04-19 Good Friday
2019-04-22 Easter Monday
2019-05-01 Labour Day
2019-05-13 Buddha's Birthday (substitute)
2019-06-07 Tuen Ng Festival
2019-07-01 HKSAR Establishment Day
2019-10-01 National Day
2019-10-07 Chung Yeung Festival
2019-12-25 Christmas Day
2019-12-26 First weekday after Christmas
2020-01-01 New Year's Day
2020-01-27 Lunar New Year (third day)
2020-01-28 Lunar New Year (substitute)
2020-04-10 Good Friday
2020-04-13 Easter Monday
2020-04-30 Buddha's Birthday
2020-05-01 Labour Day
2020-06-25 Tuen Ng Festival
2020-07-01 HKSAR Establishment Day
2020-10-01 National Day
2020-10-02 Day after Mid-Autumn Festival
2020-10-26 Chung Yeung Festival (substitute)
2020-12-25 Christmas Day
2021-01-01 New Year's Day
2021-02-12 Lunar New Year
2021-02-15 Lunar New Year (substitute)
2021-04-02 Good Friday
2021-04-05 Easter Monday
2021-04-06 Ching Ming Festival (substitute)
2021-05-19 Buddha's Birthday
2021-06-14 Tuen Ng Festival
2021-07-01 HKSAR Establishment Day
2021-09-22 Day after Mid-Autumn Festival
2021-10-01 National Day
2021-10-14 Chung Yeung Festival
2021-12-27 First weekday after Christmas
2022-02-01 Lunar New Year
2022-02-02 Lunar New Year
2022-02-03 Lunar New Year
2022-04-05 Ching Ming Festival
2022-04-15 Good Friday
2022-04-18 Easter Monday
2022-05-02 Labour Day (substitute)
2022-05-09 Buddha's Birthday (substitute)
2022-06-03 Tuen Ng Festival
2022-07-01 HKSAR Establishment Day
2022-09-12 Day after Mid-Autumn Festival (substitute)
2022-10-04 Chung Yeung Festival
2022-12-26 First weekday after Christmas
2022-12-27 Christmas (substitute)
2023-01-02 New Year's Day (substitute)
2023-01-23 Lunar New Year
2023-01-24 Lunar New Year
2023-01-25 Lunar New Year (substitute)
2023-04-05 Ching Ming Festival
2023-04-07 Good Friday
2023-04-10 Easter Monday
2023-05-01 Labour Day
2023-05-26 Buddha's Birthday
2023-06-22 Tuen Ng Festival
2023-10-02 National Day (substitute)
2023-10-23 Chung Yeung Festival
2023-12-25 Christmas Day
2023-12-26 First weekday after Christmas
2024-01-01 New Year's Day
2024-02-12 Lunar New Year (third day)
2024-02-13 Lunar New Year (substitute)
2024-03-29 Good Friday
2024-04-01 Easter Monday
2024-04-04 Ching Ming Festival
2024-05-01 Labour Day
2024-05-15 Buddha's Birthday
2024-06-10 Tuen Ng Festival
2024-07-01 HKSAR Establishment Day
2024-09-18 Day after Mid-Autumn Festival
2024-10-01 National Day
2024-10-11 Chung Yeung Festival
2024-12-25 Christmas Day
2024-12-26 First weekday after Christmas
2025-01-01 New Year's Day
2025-01-29 Lunar New Year
2025-01-30 Lunar New Year
2025-01-31 Lunar New Year
2025-04-04 Ching Ming Festival
2025-04-18 Good Friday
2025-04-21 Easter Monday
2025-05-01 Labour Day
2025-05-05 Buddha's Birthday
2025-07-01 HKSAR Establishment Day
2025-10-01 National Day
2025-10-07 Day after Mid-Autumn Festival
2025-10-29 Chung Yeung Festival
2025-12-25 Christmas Day
2025-12-26 First weekday after Christmas
2026-01-01 New Year's Day
2026-02-17 Lunar New Year
2026-02-18 Lunar New Year
2026-02-19 Lunar New Year
2026-04-03 Good Friday
2026-04-06 Easter Monday
2026-04-07 Ching Ming Festival (substitute)
2026-05-01 Labour Day
2026-05-25 Buddha's Birthday (substitute)
2026-06-19 Tuen Ng Festival
2026-07-01 HKSAR Establishment Day
2026-10-01 National Day
2026-10-19 Chung Yeung Festival (substitute)
2026-12-25 Christmas Day
""",
}

# Closures that were not holidays: trading cancelled for the whole day by HKEX's typhoon or
# black-rainstorm rules (in force until Severe Weather Trading began on 2024-09-23). Used only
# to label the days the data show; a day listed here that the data do not show is reported.
WEATHER = {
    "2020-10-13": "typhoon Nangka: no trading all day (not a holiday)",
    "2021-10-13": "typhoon Kompasu: no trading all day (not a holiday)",
    "2023-09-01": "typhoon Saola: no trading all day (not a holiday)",
    "2023-09-08": "black rainstorm: no trading all day (not a holiday)",
    "2024-09-06": "typhoon Yagi: no trading all day (not a holiday)",
}


def parse_notices(text):
    out = {}
    for line in text.strip().splitlines():
        date, name = line.split(" ", 1)
        out[date] = name
    return out


def dates_in(path, column="date"):
    """The set of dates (YYYY-MM-DD text) in the first column of a CSV."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split(",")
        i = header.index(column)
        return {line.split(",")[i] for line in f if line.strip()}


def weekdays(first, last):
    d = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last)
    while d <= end:
        if d.weekday() < 5:
            yield d.isoformat()
        d += dt.timedelta(days=1)


def closures(traded, first, last):
    """Weekdays from first to last (inclusive) absent from `traded`."""
    return {d for d in weekdays(first, last) if d not in traded}


def main():
    if not REAL.is_dir():
        sys.exit(f"{REAL}: the real data folder is absent; nothing to derive from")
    notes = []  # disagreements and how they were resolved, written into the file
    # ---- SSE ----
    sse = dates_in(REAL / "cn_index_000001SH_hriszc.csv")
    sse_end = max(sse)
    margin = dates_in(REAL / "cn_market_margin_davidwang0116.csv")
    margin_end = max(margin)
    derived_sse = closures(sse, "2018-01-01", sse_end) | closures(margin, next_day(sse_end), margin_end)
    # cross-checks: other files agree with the SSE Composite on every weekday they cover
    checks = [("cn_index_399001SZ_hriszc.csv", "Shenzhen Component")]
    checks += [("cn_index_000001SH_willinxusheng.csv", "second SSE Composite source")]
    checks += [("cn_market_margin_davidwang0116.csv", "market margin file")]
    for path, label in checks:
        other = dates_in(REAL / path)
        lo = max(min(other), "2018-01-01")
        hi = min(max(other), sse_end)
        only_other = sorted(d for d in weekdays(lo, hi) if d in other and d not in sse)
        only_sse = sorted(d for d in weekdays(lo, hi) if d in sse and d not in other)
        print(f"SSE vs {label} ({lo}..{hi}): rows only there {only_other or 'none'}; missing there {only_sse or 'none'}")
        if only_other or only_sse:
            notes.append(f"SSE vs {label}: only there {only_other}, missing there {only_sse}")
    stock_rows_on_closed_days = []
    for path in sorted(REAL.glob("cn_[0-9]*.csv")):
        rows = dates_in(path)
        bad = sorted(d for d in rows if "2018-01-01" <= d <= sse_end and d not in sse)
        if path.name.endswith("_margin_jasonzhao1998.csv"):
            continue  # ends 2017
        if bad:
            stock_rows_on_closed_days.append((path.name, bad))
    for name, bad in stock_rows_on_closed_days:
        print(f"SSE: {name} has rows on days the index did not trade: {bad}")
        notes.append(f"{name} has rows on SSE-closed days {bad}")
    if not stock_rows_on_closed_days:
        print("SSE: no A-share file has a row on a day the SSE Composite has none")
    sse_notice = parse_notices(NOTICES["SSE"])
    sse_final = compare("SSE", derived_sse, sse_notice, margin_end, notes, {})

    # ---- HKEX ----
    hsi = dates_in(REAL / "hk_HSI_clamx4.csv")
    hsi_end = max(hsi)
    derived_hk = closures(hsi, "2018-01-01", hsi_end)
    hk_notice = parse_notices(NOTICES["HKEX"])
    hk_final = compare("HKEX", derived_hk, hk_notice, hsi_end, notes, WEATHER)

    text = render(sse_final, hk_final, sse_end, margin_end, hsi_end, notes)
    if "--check" in sys.argv:
        committed = OUT.read_text(encoding="utf-8")
        if committed != text:
            sys.exit(f"{OUT} differs from what this script derives: rerun without --check")
        print(f"{OUT}: up to date")
    else:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT}")


def next_day(date):
    return (dt.date.fromisoformat(date) + dt.timedelta(days=1)).isoformat()


def compare(market, derived, notice, data_end, notes, explained):
    """Merge data and notices: the data decide up to data_end, the notices after. Returns
    {date: label} for every closure."""
    final = {}
    for d in sorted(derived):
        if d in notice:
            final[d] = notice[d]
        elif d in explained:
            final[d] = explained[d]
            print(f"{market}: {d} closed in the data, not a holiday: {explained[d]}")
        else:
            final[d] = "closed in the data; no holiday or closure known"
            print(f"{market}: {d} closed in the data but in no notice")
            notes.append(f"{market} {d}: closed in the data, in no notice (kept: the data decide)")
    for d, name in sorted(notice.items()):
        if d <= data_end and d not in derived:
            print(f"{market}: {d} ({name}) announced closed but traded in the data")
            notes.append(f"{market} {d} ({name}): announced, but the data show trading (kept open: the data decide)")
        elif d > data_end:
            final[d] = name + " (from the notice; after the data)"
    for d in explained:
        if d not in derived:
            notes.append(f"{market} {d}: expected closure ({explained[d]}) not in the data")
    n_notice = sum(1 for d in notice if d <= data_end)
    print(f"{market}: {len(derived)} closures in the data to {data_end}; {n_notice} announced in that span")
    return final


def render(sse, hk, sse_end, margin_end, hsi_end, notes):
    lines = [
        "# Trading calendars of the rebt rare-earth dataset: per market and year, every weekday on",
        "# which the exchange did not trade (weekends are always closed). A year listed is complete.",
        "# SZSE shares the SSE calendar. Facts, not prices: derived by tools/derive_calendars.py from",
        f"# the real SSE Composite rows (to {sse_end}) and the whole-market margin file (to {margin_end}),",
        f"# and from the Hang Seng Index rows (to {hsi_end}); checked against the exchanges' holiday",
        "# notices; days after the data come from the notices. Half-day sessions (HKEX Christmas Eve,",
        "# New Year's Eve, Lunar New Year's Eve) are trading days.",
    ]
    if notes:
        lines.append("# Disagreements between sources (the data decide):")
        lines += [f"#   {n}" for n in notes]
    else:
        lines.append("# No disagreement between the data, the cross-checks and the notices (weather closures aside).")
    for market, table in (("SSE", sse), ("HKEX", hk)):
        lines.append("")
        lines.append(f"[{market}]")
        for year in YEARS:
            days = sorted(d for d in table if d.startswith(f"{year}-"))
            lines.append(f"{year} = [")
            for d in days:
                lines.append(f'    "{d}", # {table[d]}')
            lines.append("]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
