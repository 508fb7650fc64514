"""Clearing along the network: fed funds, interbank, tri-party and bilateral repo, SRF, ON RRP.

All clearing works on arrays of edges. The building block is `fill`: in each group (a
borrower, or a lender's book of clients) the cheapest offers are taken first until the demand
is met, and every offer trades at its own ask (over-the-counter markets are pay-as-bid). The
order of the day follows the order of the real market:

1. money funds lend to dealers in tri-party, within their lines (tri-party settles first);
2. fund cash that found no dealer goes to the ON RRP at the ON RRP rate;
3. FHLBs lend fed funds to large banks that park them at IORB (the EFFR arbitrage), or
   place their cash at the ON RRP;
4. dealers borrow what they still need bilaterally from their banks, and those whose banks
   are dear replace their dearest dollars through the interdealer market with cash that other
   banks spare (`interdealer`); then, in the afternoon, the public's tax payments settle
   (`model.settle_afternoon`);
5. banks short of their LCLoR plus buffer borrow unsecured from their core banks;
6. what the market cannot supply below the SRF rate plus stigma goes to the SRF, and banks
   that would still end below their LCLoR borrow there (or at the discount window).

Every trade is booked through the ledger and kept in `Book`, so that it unwinds the next
morning and the rates are computed from what was executed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from repomodel import behaviours
from repomodel.ledger import Ledger

DUST = 1e-9  # $ bn ($1): amounts below this are floating-point rounding, not trades or needs


def fill(
    group: np.ndarray,
    ask: np.ndarray,
    amount: np.ndarray,
    demand: np.ndarray,
    cap: np.ndarray | float = np.inf,
) -> tuple[np.ndarray, np.ndarray]:
    """Merit-order fill: per group, take the cheapest offers until the group's demand is met.

    Offers above the group's `cap` (the borrower's outside option) are not taken.
    Returns (amount filled per offer, demand left unfilled per group).
    """
    n_groups = len(demand)
    if len(group) == 0:
        return np.zeros(0), demand.copy()
    usable = np.where(ask <= np.broadcast_to(cap, (n_groups,))[group], amount, 0.0)
    order = np.lexsort((ask, group))
    g, q = group[order], usable[order]
    cum = np.cumsum(q)
    starts = np.searchsorted(g, np.arange(n_groups))
    before_group = np.concatenate([[0.0], cum])[starts]
    taken_before = cum - q - before_group[g]
    filled_sorted = np.clip(demand[g] - taken_before, 0.0, q)
    filled = np.empty_like(filled_sorted)
    filled[order] = filled_sorted
    left = demand - np.bincount(group, weights=filled, minlength=n_groups)
    return filled, np.maximum(left, 0.0)


def allocate_lines(
    cash: np.ndarray,
    need: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    limit: np.ndarray,
    rounds: int = 6,
) -> np.ndarray:
    """Spread lenders' cash over their lines to borrowers' needs (iterative water-filling).

    Each round every lender offers its remaining cash across its open lines in proportion to
    the borrowers' remaining needs, within line limits; borrowers take offers pro rata up to
    their need. Returns the amount lent on each line.
    """
    lent = np.zeros(len(src))
    cash_left, need_left = cash.astype(float).copy(), need.astype(float).copy()
    for _ in range(rounds):
        room = np.maximum(limit - lent, 0.0)
        weight = np.where(room > 0, need_left[dst], 0.0)
        total = np.bincount(src, weights=weight, minlength=len(cash))
        share = np.divide(weight, total[src], out=np.zeros_like(weight), where=total[src] > 0)
        offer = np.minimum(cash_left[src] * share, room)
        asked = np.bincount(dst, weights=offer, minlength=len(need))
        take = np.divide(need_left[dst], asked[dst], out=np.zeros_like(offer), where=asked[dst] > 0)
        got = offer * np.minimum(take, 1.0)
        lent += got
        cash_left -= np.bincount(src, weights=got, minlength=len(cash))
        need_left -= np.bincount(dst, weights=got, minlength=len(need))
        if cash_left.sum() < 1e-9 or need_left.sum() < 1e-9:
            break
    return lent


@dataclass
class Book:
    """Today's overnight trades: what unwinds tomorrow, and what the rates are computed from."""

    triparty: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per tri-party line
    triparty_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bilateral_bank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    bilateral_dealer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    bilateral: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bilateral_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    client_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per dealer
    ff_fhlb: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (fhlb, large bank)
    ff_fhlb_rate: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    ib_lender: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    ib_borrower: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    interbank: np.ndarray = field(default_factory=lambda: np.zeros(0))
    interbank_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cb_seller: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # correspondent
    cb_buyer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))  # fed funds:
    correspondent: np.ndarray = field(default_factory=lambda: np.zeros(0))  # small -> core
    correspondent_rate: np.ndarray = field(default_factory=lambda: np.zeros(0))
    srf_dealers: np.ndarray = field(default_factory=lambda: np.zeros(0))
    srf_banks: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_rrp_funds: np.ndarray = field(default_factory=lambda: np.zeros(0))
    on_rrp_fhlbs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dealer_cost: np.ndarray = field(default_factory=lambda: np.zeros(0))  # marginal, per dealer
    interdealer: float = 0.0  # $ bn of the bilateral repo that came through the interdealer market
    banks_short: int = 0  # banks below LCLoR + buffer after the interbank market


def unwind(ledger: Ledger, net, book: Book) -> None:
    """Yesterday's overnight trades mature: every one is booked again with the opposite sign."""
    book_trades(ledger, net, book, sign=-1.0)


def book_trades(ledger: Ledger, net, book: Book, sign: float = 1.0) -> None:
    """Post every trade of `book` to the ledger (sign=-1 reverses them)."""
    ledger.pay(
        "money_funds", net.tri_fund, "repo_lent", "dealers", net.tri_dealer, "triparty", sign * book.triparty
    )
    lend_to_depositor(
        ledger,
        book.bilateral_bank,
        "repo_lent",
        "dealers",
        book.bilateral_dealer,
        "bilateral",
        sign * book.bilateral,
    )
    if book.ff_fhlb.size:
        post_fhlb_loans(ledger, net, book.ff_fhlb, sign)
    lend_between_banks(ledger, book.ib_lender, book.ib_borrower, sign * book.interbank)
    lend_between_banks(ledger, book.cb_seller, book.cb_buyer, sign * book.correspondent)
    post_srf(ledger, book.srf_dealers, book.srf_banks, sign)
    post_on_rrp(ledger, book.on_rrp_funds, book.on_rrp_fhlbs, sign)


def lend_to_depositor(
    ledger: Ledger,
    bank: np.ndarray,
    bank_item: str,
    sector: str,
    idx: np.ndarray,
    credit: str,
    amount: np.ndarray,
) -> None:
    """A bank lends to a non-bank: its reserves go to the borrower's bank as deposits."""
    ledger.post("banks", bank_item, "reserves", amount, bank)
    ledger.post("banks", "reserves", "agent_deposits", amount, ledger.bank_of[sector][idx])
    ledger.post(sector, "cash", credit, amount, idx)


def lend_between_banks(ledger: Ledger, lender: np.ndarray, borrower: np.ndarray, amount: np.ndarray) -> None:
    """Unsecured interbank loan: reserves move from lender to borrower."""
    ledger.post("banks", "ff_lent", "reserves", amount, lender)
    ledger.post("banks", "reserves", "ff_borrowed", amount, borrower)


@dataclass
class DayRates:
    """The corridor of the day, in percent."""

    iorb: float
    on_rrp: float
    srf: float
    srf_exists: bool
    dealer_repo: float = float("nan")  # Fed repo operations open to dealers only (2019-20), min bid
    dealer_repo_limit: float = float("nan")  # $ bn those operations lend at most today (nan: no limit)


def clear(model) -> Book:
    """Clear all of today's markets for `model` and book the trades. Returns the day's book."""
    p, net, ledger, rates = model.params, model.net, model.ledger, model.today_rates
    banks, mmf, fhlb, dealers = (ledger[s] for s in ("banks", "money_funds", "fhlbs", "dealers"))
    b = p["banks"]
    flags = model.today_flags
    n_large, n_d, k = net.n_large, dealers.n, b["tranches"]
    stigma = b["srf_stigma_bp"] if rates.srf_exists else b["no_srf_stigma_bp"]
    penalty = behaviours.penalty_rate(rates.srf, stigma)
    # Dealers' backstop: the SRF, or before it the Fed's repo operations for dealers where
    # they were offered (2019-20); with neither, the last dollar costs the no-SRF ceiling.
    # Operations of limited size (an allotment) are one more offer in dealers' merit order,
    # not a backstop: once they are taken up, the last dollar is again found privately.
    ops = not rates.srf_exists and np.isfinite(rates.dealer_repo)
    ops_limited = ops and np.isfinite(rates.dealer_repo_limit)
    ops_rate = rates.dealer_repo + p["dealers"]["repo_ops_spread_bp"] / 100.0
    dealer_backstop = rates.srf_exists or (ops and not ops_limited)
    if rates.srf_exists:
        dealer_ceiling = rates.srf + p["dealers"]["srf_stigma_bp"] / 100.0
    elif dealer_backstop:
        dealer_ceiling = ops_rate
    else:
        dealer_ceiling = rates.srf + p["dealers"]["no_srf_ceiling_bp"] / 100.0
    cost_bp = model.size_cost_factor * behaviours.balance_sheet_cost_bp(
        net.is_large, net.is_foreign, b, flags["quarter_end"], flags["year_end"], flags["month_end"]
    )
    lclor, sigma, assets = model.lclor, model.uncertainty, net.bank_assets
    book = Book()

    def position() -> np.ndarray:
        """Reserves a bank plans with: its reserves plus the intraday overdrafts it has
        extended to its dealers, which those dealers will cover before the close."""
        overdraft = np.bincount(
            net.dealer_settlement, weights=np.maximum(-dealers["cash"], 0.0), minlength=net.n_banks
        )
        return banks["reserves"] + overdraft

    def large_tranches() -> tuple[np.ndarray, np.ndarray]:
        r = position()[:n_large]
        return behaviours.supply_tranches(
            r,
            lclor[:n_large],
            sigma[:n_large],
            assets[:n_large],
            cost_bp[:n_large],
            b["balance_sheet_slope_bp"],
            rates.iorb,
            penalty,
            k,
        )

    # 1. Tri-party (settles first thing in the morning): fund cash to dealers, within lines.
    need_d = np.maximum(-dealers["cash"], 0.0)
    fund_cash = np.maximum(mmf["cash"], 0.0)
    limit = net.tri_share * model.fund_assets[net.tri_fund]
    tri_need = behaviours.triparty_need(
        need_d, net.dealer_foreign, p["dealers"], flags["quarter_end"], flags["month_end"]
    )
    tri = allocate_lines(fund_cash, tri_need, net.tri_fund, net.tri_dealer, limit)
    book.triparty = tri
    ledger.pay("money_funds", net.tri_fund, "repo_lent", "dealers", net.tri_dealer, "triparty", tri)
    leftover = np.maximum(mmf["cash"], 0.0)

    # 2. ON RRP: fund cash that found no dealer goes to the Fed at the ON RRP rate.
    book.on_rrp_funds = np.maximum(mmf["cash"], 0.0)
    post_on_rrp(ledger, book.on_rrp_funds, np.zeros(0))

    # 3. FHLB fed funds: large banks borrow to earn IORB while it pays them.
    if fhlb.n:
        value = behaviours.reserve_value(
            position()[:n_large], lclor[:n_large], sigma[:n_large], rates.iorb, penalty
        )
        bid = value - cost_bp[:n_large] / 100.0  # what parking a borrowed dollar earns, net of cost
        capacity = p["fhlbs"]["arbitrage_capacity"] * assets[:n_large]
        if flags["quarter_end"]:
            capacity = np.where(net.is_foreign[:n_large], 0.2 * capacity, capacity)
        reservation = rates.on_rrp + model.fhlb_spread
        cash = np.maximum(fhlb["cash"], 0.0)
        weight = np.where(bid[None, :] > reservation[:, None], capacity[None, :], 0.0)
        total_cap = weight.sum(axis=1, keepdims=True)
        offer = np.divide(cash[:, None] * weight, total_cap, out=np.zeros_like(weight), where=total_cap > 0)
        offered = offer.sum(axis=0)
        take = np.minimum(1.0, np.divide(capacity, offered, out=np.ones(n_large), where=offered > 0))
        book.ff_fhlb = offer * take[None, :]
        book.ff_fhlb_rate = behaviours.lender_rate(
            np.broadcast_to(reservation[:, None], offer.shape),
            np.broadcast_to(bid[None, :], offer.shape),
            p["fhlbs"]["bargaining"],
        )
        post_fhlb_loans(ledger, net, book.ff_fhlb)

    book.on_rrp_fhlbs = np.maximum(fhlb["cash"], 0.0)
    post_on_rrp(ledger, np.zeros(mmf.n), book.on_rrp_fhlbs)

    # 3b. Correspondent fed funds: small banks sell reserves above their own target to the core
    #     banks they are tied to, up to a line limit, when a core bank is within its headroom
    #     of its LCLoR and values reserves above what the small bank earns on them.
    n_small_links = len(net.ib_small)
    if n_small_links and b["correspondent_limit"] > 0:
        pos = position()
        core_value = behaviours.reserve_value(
            pos[:n_large], lclor[:n_large], sigma[:n_large], rates.iorb, penalty
        )
        small_ask = rates.iorb + cost_bp / 100.0
        want = np.maximum(lclor[:n_large] * (1 + b["core_headroom"]) - pos[:n_large], 0.0)
        want = np.where(core_value > small_ask[:n_large], want, 0.0)
        if want.sum() > 0:
            seller, buyer = net.ib_small, net.ib_core
            surplus = np.maximum(pos - (lclor + b["target_buffer"] * sigma), 0.0)
            line = np.minimum(
                surplus[seller] / model.ib_degree[seller], b["correspondent_limit"] * assets[seller]
            )
            offered = np.bincount(buyer, weights=line, minlength=n_large)
            ratio = np.minimum(1.0, np.divide(want, offered, out=np.zeros(n_large), where=offered > 0))
            volume = line * ratio[buyer]
            keep = volume > DUST
            book.cb_seller, book.cb_buyer, book.correspondent = seller[keep], buyer[keep], volume[keep]
            book.correspondent_rate = behaviours.lender_rate(
                small_ask[book.cb_seller], core_value[book.cb_buyer], 0.5
            )
            lend_between_banks(ledger, book.cb_seller, book.cb_buyer, book.correspondent)

    # 4. Bilateral repo: what dealers still need, from their banks' supply curves.
    need_d = np.maximum(-dealers["cash"], 0.0)
    amount, ask = amount_bd, ask_bd = large_tranches()
    # A bank shares its supply among its dealers in proportion to what each still needs.
    link_need = need_d[net.bd_dealer]
    bank_need = np.bincount(net.bd_bank, weights=link_need, minlength=n_large)
    share = np.divide(
        link_need, bank_need[net.bd_bank], out=np.zeros_like(link_need), where=bank_need[net.bd_bank] > 0
    )
    off_bank = np.repeat(net.bd_bank, k)
    off_dealer = np.repeat(net.bd_dealer, k)
    off_amount = (amount[net.bd_bank] * share[:, None]).ravel()
    off_ask = ask[net.bd_bank].ravel()
    from_ops = np.zeros(0)
    if ops_limited and rates.dealer_repo_limit > 0 and need_d.sum() > 0:
        # An auction of fixed size at one rate: dealers first take their banks' tranches that
        # are cheaper than the operations, bid for the rest, and are allotted pro rata when
        # the bids exceed the size; what is still missing they buy from dearer tranches.
        _, rest = fill(off_dealer, off_ask, off_amount, need_d, cap=min(ops_rate, dealer_ceiling))
        from_ops = rest * min(1.0, rates.dealer_repo_limit / rest.sum()) if rest.sum() > 0 else rest
        filled, unmet = fill(off_dealer, off_ask, off_amount, need_d - from_ops, cap=dealer_ceiling)
    else:
        filled, unmet = fill(off_dealer, off_ask, off_amount, need_d, cap=dealer_ceiling)
    # 4a. Interdealer repo: cash other banks spare reaches dealers whose own banks are dear.
    filled, passed, id_price = interdealer(
        off_dealer, off_ask, filled, amount, ask, p["dealers"], net.bd_bank
    )
    if passed is not None:
        book.interdealer = float(passed[3].sum())
        off_bank = np.concatenate([off_bank, passed[0]])
        off_dealer = np.concatenate([off_dealer, passed[1]])
        off_ask = np.concatenate([off_ask, passed[2]])
        filled = np.concatenate([filled, passed[3]])
    # Rounding dust left by the merit order is not a need: priced at the ceiling it would make
    # a dealer's marginal cost, and so the tri-party rate of its funds, jump to the ceiling.
    unmet = np.where(unmet > DUST, unmet, 0.0)
    if not dealer_backstop and unmet.sum() > 0:
        # Without an SRF the last dollar is still found, at the ceiling (fire sales, failed
        # trades): booked as bilateral repo from the dealer's settlement bank.
        off_bank = np.concatenate([off_bank, net.dealer_settlement])
        off_dealer = np.concatenate([off_dealer, np.arange(n_d)])
        off_ask = np.concatenate([off_ask, np.full(n_d, dealer_ceiling)])
        filled = np.concatenate([filled, unmet])
        unmet = np.zeros(n_d)
    keep = filled > DUST
    book.bilateral_bank, book.bilateral_dealer = off_bank[keep], off_dealer[keep]
    book.bilateral, book.bilateral_rate = filled[keep], off_ask[keep]
    lend_to_depositor(
        ledger,
        book.bilateral_bank,
        "repo_lent",
        "dealers",
        book.bilateral_dealer,
        "bilateral",
        book.bilateral,
    )

    # 4b. Afternoon: the public's tax payments settle over Fedwire through the day, after the
    #     morning's repo market. Banks meet the drain in the interbank market or at the Fed;
    #     repo feels it the next morning.
    model.settle_afternoon()

    # 5. Interbank: banks short of LCLoR + buffer (dealers are financed now, so reserves are
    #    what they are) borrow from their core banks, which serve their book of
    #    correspondents from their supply curve (pay-as-bid).
    need = behaviours.borrowing_need(position(), lclor, sigma, b["target_buffer"])
    lender, borrower = model.ib_lender, model.ib_borrower
    per_link = need[borrower] / model.ib_degree[borrower]
    if per_link.sum() > 0:
        demand = np.bincount(lender, weights=per_link, minlength=n_large)
        amount, ask = large_tranches()
        group = np.repeat(np.arange(n_large), k)
        filled, left = fill(group, ask.ravel(), amount.ravel(), demand, cap=penalty)
        got = demand - left
        avg_ask = np.divide(
            np.bincount(group, weights=filled * ask.ravel(), minlength=n_large),
            got,
            out=np.full(n_large, rates.iorb),
            where=got > 0,
        )
        ratio = np.divide(got, demand, out=np.zeros(n_large), where=demand > 0)
        volume = per_link * ratio[lender]
        keep = volume > DUST
        book.ib_lender, book.ib_borrower = lender[keep], borrower[keep]
        book.interbank = volume[keep]
        book.interbank_rate = avg_ask[book.ib_lender] + b["interbank_spread_bp"] / 100.0
        lend_between_banks(ledger, book.ib_lender, book.ib_borrower, book.interbank)

    book.banks_short = int(
        (behaviours.borrowing_need(position(), lclor, sigma, b["target_buffer"]) > DUST).sum()
    )

    # 6. SRF: dealers' unmet needs, and banks that would otherwise end below their LCLoR.
    book.srf_dealers = unmet.copy()
    if from_ops.size:
        book.srf_dealers = book.srf_dealers + np.where(from_ops > DUST, from_ops, 0.0)
    book.srf_banks = np.maximum(lclor - banks["reserves"], 0.0)
    post_srf(ledger, book.srf_dealers, book.srf_banks)

    # Dealers' marginal cost of funds: the price of replacing their last dollar. A dealer that
    # went to its banks pays their next tranche (the dearest it used), one that went to the
    # SRF pays its ceiling; one financed by funds alone would replace a dollar from its banks'
    # cheapest tranche.
    bil_max = np.zeros(n_d)
    np.maximum.at(bil_max, book.bilateral_dealer, book.bilateral_rate)
    first_ask = np.where(amount_bd[:, 0] > 0, ask_bd[:, 0], dealer_ceiling)
    bank_next = np.full(n_d, dealer_ceiling)
    np.minimum.at(bank_next, net.bd_dealer, first_ask[net.bd_bank])
    bank_next = np.minimum(bank_next, id_price)  # or through the interdealer market, if it has room
    cost = np.maximum(np.minimum(bank_next, dealer_ceiling), bil_max)
    if from_ops.size:
        cost = np.where(from_ops > DUST, np.maximum(cost, ops_rate), cost)
    cost = np.where(unmet > 0, np.maximum(cost, dealer_ceiling), cost)
    book.dealer_cost = cost

    # Tri-party rates. A fund values its last dollar as a bank values reserves (Poole): with
    # probability G it ends the day with cash no dealer took, and the dollar earns the ON RRP
    # (plus its reservation spread); otherwise its dealers compete for it, and it is worth
    # what the dearest of them pays at the margin, less the tri-party discount. Every dealer
    # the fund lends to must match that price. G = F(excess / sigma): excess is the fund's
    # cash left over less what its dealers still needed after tri-party, sigma the
    # uncertainty of the fund's end-of-day cash. A fund with much cash to spare lends at its
    # floor; one whose dealers still need cash charges up to their marginal cost.
    floor = rates.on_rrp + model.fund_spread
    line_need = need_d[net.tri_dealer] / np.maximum(model.tri_degree[net.tri_dealer], 1)
    excess = leftover - np.bincount(net.tri_fund, weights=line_need, minlength=mmf.n)
    sigma_f = p["money_funds"]["cash_uncertainty"] * model.fund_assets
    placed = behaviours.shortfall_probability(excess, np.zeros(mmf.n), sigma_f)  # 1 - G
    fund_top = np.zeros(mmf.n)
    np.maximum.at(fund_top, net.tri_fund, np.where(tri > 0, cost[net.tri_dealer], 0.0))
    discount = p["money_funds"]["triparty_discount_bp"] / 100.0
    value = floor + placed * np.maximum(fund_top - discount - floor, 0.0)
    book.triparty_rate = value[net.tri_fund]

    # Dealers lend to clients at their average cost of funds plus an intermediation spread.
    funded = np.bincount(net.tri_dealer, weights=tri, minlength=n_d) + np.bincount(
        book.bilateral_dealer, weights=book.bilateral, minlength=n_d
    )
    paid = np.bincount(net.tri_dealer, weights=tri * book.triparty_rate, minlength=n_d) + np.bincount(
        book.bilateral_dealer, weights=book.bilateral * book.bilateral_rate, minlength=n_d
    )
    avg = np.divide(paid, funded, out=cost.copy(), where=funded > 0)
    book.client_rate = avg + p["dealers"]["client_spread_bp"] / 100.0

    return book


def interdealer(
    off_dealer: np.ndarray,
    off_ask: np.ndarray,
    filled: np.ndarray,
    amount: np.ndarray,
    ask: np.ndarray,
    dp: dict,
    bd_bank: np.ndarray,
) -> tuple[np.ndarray, tuple | None, float]:
    """Interdealer repo (GCF, sponsored repo): the cash other banks spare, to dealers whose own
    banks are dear.

    A dealer borrows bilaterally only from its few banks, and each bank shares its supply among
    its dealers, so on a day when one bank is near its LCLoR its dealers climb its supply curve
    while other banks' cheap tranches go unused. Through the interdealer market a dealer with
    room on its balance sheet borrows from its bank and lends on, at the bank's ask plus
    `interdealer_spread_bp`. The market clears the two step curves against each other: the
    dearest bilateral dollars lent today (demand, dearest first) are replaced by the cheapest
    unused tranches plus the spread (supply), for as long as a replaced dollar costs more than
    the dollar replacing it, and at most `interdealer_capacity` $ bn a day (intermediating
    dealers' balance sheets). Only bilateral lending of the day moves, so every dealer's total
    borrowing is unchanged.

    `off_dealer`, `off_ask` and `filled` are the bilateral offers and fills, the first len(bd_bank) * k of them
    per (line, tranche); `amount`, `ask` the banks' tranches (bank, tranche). Returns the fills
    with the replaced dollars taken off, the passed trades (bank, dealer, rate, amount) or None,
    and the interdealer price of one more dollar (inf when the market is full or closed).
    """
    cap = float(dp["interdealer_capacity"])
    if cap <= 0:  # closed (the default): no work on the daily path
        return filled, None, np.inf
    spread = dp["interdealer_spread_bp"] / 100.0
    n_banks, k = amount.shape
    n_lines = len(bd_bank) * k
    line_fill, line_ask = filled[:n_lines], off_ask[:n_lines]
    tranche = np.repeat(bd_bank, k) * k + np.tile(np.arange(k), len(bd_bank))
    spare = np.maximum(amount.ravel() - np.bincount(tranche, weights=line_fill, minlength=n_banks * k), 0.0)
    supply_ask = ask.ravel() + spread
    s_order = np.argsort(supply_ask, kind="stable")
    sv, sa = spare[s_order], supply_ask[s_order]
    d_order = np.argsort(-line_ask, kind="stable")
    dv, da = line_fill[d_order], line_ask[d_order]
    cs, cd = np.cumsum(sv), np.cumsum(dv)
    if cs[-1] <= DUST or cd[-1] <= DUST:
        return filled, None, np.inf
    # Both curves are steps; on the segment of quantity ending at q, each price is that of the
    # first step whose cumulated volume reaches q. Trade while demand's price exceeds supply's.
    q = np.unique(np.concatenate([cs, cd]))
    q = q[(q > DUST) & (q <= min(cs[-1], cd[-1]))]
    at_s = np.minimum(np.searchsorted(cs, q - DUST), len(cs) - 1)
    at_d = np.minimum(np.searchsorted(cd, q - DUST), len(cd) - 1)
    gains = da[at_d] > sa[at_s]
    stop = np.flatnonzero(~gains)
    end = q[-1] if len(stop) == 0 else (q[stop[0] - 1] if stop[0] > 0 else 0.0)
    moved = min(end, cap)

    def next_price() -> float:
        """The interdealer price of one more dollar: the next spare step, if there is room."""
        if moved >= cap - DUST or moved >= cs[-1] - DUST:
            return np.inf
        return float(sa[min(np.searchsorted(cs, moved + DUST), len(sa) - 1)])

    if moved <= DUST:
        return filled, None, next_price()
    cut = np.clip(moved - (cd - dv), 0.0, dv)  # off the dearest bilateral dollars
    take = np.clip(moved - (cs - sv), 0.0, sv)  # from the cheapest spare tranches
    out = filled.copy()
    out[d_order] -= cut
    got = np.bincount(off_dealer[:n_lines][d_order], weights=cut)
    receivers = np.flatnonzero(got > DUST)
    share = got[receivers] / got[receivers].sum()
    used = np.flatnonzero(take > DUST)
    lenders = s_order[used]
    passed = (
        np.repeat(lenders // k, len(receivers)),
        np.tile(receivers, len(lenders)),
        np.repeat(supply_ask[lenders], len(receivers)),
        (take[used][:, None] * share[None, :]).ravel(),
    )
    return out, passed, next_price()


def post_fhlb_loans(ledger: Ledger, net, ff: np.ndarray, sign: float = 1.0) -> None:
    """FHLB h lends ff[h, j] to large bank j: cash leaves the FHLB's custodian bank and lands
    in the borrower's reserves."""
    n_fhlb, n_large = ff.shape
    h = np.repeat(np.arange(n_fhlb), n_large)
    j = np.tile(np.arange(n_large), n_fhlb)
    amount = sign * ff.ravel()
    ledger.post("fhlbs", "ff_lent", "cash", amount, h)
    ledger.post("banks", "agent_deposits", "reserves", amount, net.fhlb_custodian[h])
    ledger.post("banks", "reserves", "ff_borrowed", amount, j)


def post_srf(ledger: Ledger, dealers: np.ndarray, banks: np.ndarray, sign: float = 1.0) -> None:
    """SRF (or discount-window) loans: the Fed lends reserves against Treasury collateral."""
    if dealers.sum() > 0:
        ledger.with_fed("dealers", None, "srf_borrowed", "srf_loans", sign * dealers, into_fed=False)
    if banks.sum() > 0:
        ledger.post("banks", "reserves", "srf_borrowed", sign * banks)
        ledger.post("fed", "srf_loans", "reserves", sign * float(banks.sum()))


def post_on_rrp(ledger: Ledger, funds: np.ndarray, fhlbs: np.ndarray, sign: float = 1.0) -> None:
    """Cash placed at the ON RRP: deposits and reserves fall, the Fed's ON RRP rises."""
    ledger.with_fed("money_funds", None, "on_rrp", "on_rrp", sign * funds, into_fed=True)
    if fhlbs.size:
        ledger.with_fed("fhlbs", None, "on_rrp", "on_rrp", sign * fhlbs, into_fed=True)
