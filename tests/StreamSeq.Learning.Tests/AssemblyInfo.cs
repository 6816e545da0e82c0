// Tests check the process-wide tensor ledger after runs and share the two cores with torch: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
