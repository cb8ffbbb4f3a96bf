"""A stop request that lands just after the hand-over must not delete what readers now use.

``staged`` deletes its build folder when the block raises, so a failed or stopped build is never
published. A Ctrl+C (KeyboardInterrupt, or ``salespulse.dbt.DbtInterrupted``) can also arrive in
``_publish`` after the atomic ``os.replace`` (during the directory fsync): the build is published by
then, and deleting its folder would leave readers a dangling link.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from duckdb_files import write
from salespulse import handover
from salespulse.handover import current, staged


def test_a_ctrl_c_right_after_the_hand_over_keeps_the_published_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tmp_path / "salespulse.duckdb"
    with staged(published) as path:
        write(path, "create table t as select 1 as v")
    real_publish = handover._publish

    def publish_then_ctrl_c(published: Path, staged: Path) -> None:
        real_publish(published, staged)  # the real hand-over: the link now names the new build
        raise KeyboardInterrupt  # the signal arrives before staged() has finished

    monkeypatch.setattr(handover, "_publish", publish_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt), staged(published) as path:
        write(path, "update t set v = 2")

    assert current(published) == path.resolve()  # the hand-over happened ...
    assert current(published).exists()  # ... and its build was not deleted under the link
    con = duckdb.connect(str(published), read_only=True)
    try:
        assert con.execute("select v from t").fetchall() == [(2,)]
    finally:
        con.close()
