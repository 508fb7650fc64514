"""Today's key figures: the date, the rates, where the money sits, and the model's settings."""

from __future__ import annotations

import html

import pandas as pd

from repomodel.calendar import business_day


def key_figures_html(model) -> str:
    """The last recorded day (or the opening books) as a small table, and what the model uses."""
    if not model.records:
        # the business day before the first (New Year's Day is none: the end of history closes on 31 Dec)
        first = pd.Timestamp(model.params["calendar"]["start"])
        eve = (first - business_day(first.year - 1, first.year)).date()
        day = f'<span id="rm-date">{eve}</span> (the opening books; press Step or ▶)'
        rows = []
    else:
        r = model.records[-1]
        flags = [
            name.replace("_", " ") for name in ("month_end", "quarter_end", "year_end", "tax_date") if r[name]
        ]
        day = (
            f'<span id="rm-date">{r["date"]:%Y-%m-%d}</span> ({r["date"]:%a}, day {model.t} of '
            f"{len(model.calendar)}{', ' + ', '.join(flags) if flags else ''})"
        )
        rows = [
            ("SOFR", f"{r['sofr']:.3f}%"),
            ("IORB", f"{r['iorb']:.2f}%"),
            ("SOFR − IORB", f'<span id="rm-spread-bp">{r["sofr_iorb_bp"]:+.1f}</span> bp'),
            ("ON RRP rate / SRF rate", f"{r['on_rrp_rate']:.2f}% / {r['srf_rate']:.2f}%"),
            ("Reserves", f"${r['reserves']:,.0f} bn"),
            ("large / small banks", f"${r['reserves_large']:,.0f} / ${r['reserves_small']:,.0f} bn"),
            ("ON RRP / SRF take-up", f"${max(0.0, r['on_rrp']):,.0f} / ${max(0.0, r['srf']):,.1f} bn"),
            ("TGA", f"${r['tga']:,.0f} bn"),
            ("Banks short of LCLoR + buffer after the interbank market", f"{r['banks_short']}"),
            ("Fed bill purchases today", f"${r['fed_bill_purchases']:,.1f} bn"),
        ]
    table = "".join(
        f'<tr><td style="padding:1px 12px 1px 0;color:#555">{k}</td><td>{v}</td></tr>' for k, v in rows
    )
    return (
        f'<div style="font:13px sans-serif;line-height:1.45"><div style="font-size:18px;margin-bottom:4px">'
        f'{day}</div><table>{table}</table><div style="margin-top:6px;color:#444;font-size:12px">'
        f"{settings_line(model.params, model.scenario_name, model.seed, model.start)}</div></div>"
    )


def settings_line(p: dict, scenario_name: str, seed: int, start: str) -> str:
    """The values the running model uses, in one line (the controls may show others until Reset);
    `start` names where it began. The reserve concentration is shown only where it shaped the start."""
    rmp, runoff_end = p["rmp"], p["runoff"]["end"]
    if runoff_end > p["calendar"]["end"]:
        runoff = "continues"
    else:
        runoff = f"ended {runoff_end}" if runoff_end <= p["calendar"]["start"] else f"ends {runoff_end}"
    concentration = (
        "" if p["start"]["snapshot"] else f" · reserve concentration {p['start']['reserve_concentration']:g}"
    )
    return (
        f'scenario <b>{html.escape(scenario_name)}</b>, seed {seed}, from the <span id="rm-start">'
        f"{html.escape(start)}</span> · RMP "
        f'$<span id="rm-rmp">{rmp["monthly"]:g}</span> bn a month from '
        f'<span id="rm-rmp-start">{rmp["start"]}</span> to {rmp["until"]}, then ${rmp["after"]:g} bn · '
        f"runoff {runoff} · LCLoR {p['banks']['lclor_large'] * 100:g}% / {p['banks']['lclor_small'] * 100:g}% of "
        f"assets (large / small) · SRF stigma {p['banks']['srf_stigma_bp']:g} / {p['dealers']['srf_stigma_bp']:g} bp "
        f"(banks / dealers){concentration}"
    )
