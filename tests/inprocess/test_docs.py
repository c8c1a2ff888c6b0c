"""The documents hold together: every relative link resolves, every committed ARIA snapshot is linked."""

import re
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "docs" / "aria"


def test_the_contract_links_every_committed_snapshot():
    contract = (SNAPSHOTS.parent / "contract.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((aria/(?:ja|en)/[\w-]+\.aria\.yml)\)", contract))
    committed = {str(p.relative_to(SNAPSHOTS.parent)) for p in SNAPSHOTS.glob("*/*.aria.yml")}
    assert linked == committed and len(committed) == 2 * len(list(SNAPSHOTS.glob("ja/*.aria.yml")))
