"""The one place the page reads an agent class's state.

The core keeps each agent class's state as arrays; the page needs two of them, each bank's
reserves and its lowest comfortable level of reserves (LCLoR), both in $ bn. Everything else
the page shows comes from the network (`model.net`), the day's records (`model.records`) and
the scenario (`model.params`). The LCLoR is the bank agent set's (`model.banks.lclor`); if
the agent state moves again, this function is the only line to change.
"""

from __future__ import annotations

import numpy as np


def bank_reserves_and_lclor(model) -> tuple[np.ndarray, np.ndarray]:
    """Each bank's reserves and LCLoR now ($ bn), large banks first, in the network's order."""
    return model.ledger["banks"]["reserves"], model.banks.lclor
