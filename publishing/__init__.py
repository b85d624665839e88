"""Publishing: from the catalogue and the ledger to the calls each shop receives.

A run finds each shop's candidates (`candidates`: screened against the ledger by `plan.screen`),
publishes them in rounds of batches (`run`: the retry policy, the wait for listings other runs
hold, the verdict), each batch by a `publisher.Publisher` (claim, render through the render pool,
plan, call the connector, record every outcome in the ledger), and counts what it did (`tally`).
`explain` answers why one product's listing was or was not sent. Prefect is the flow's
(`flows/publish.py`), not this package's."""
