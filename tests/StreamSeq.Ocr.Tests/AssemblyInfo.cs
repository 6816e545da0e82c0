// Tests check process-wide counts (live frames, tensors held by models) after runs: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
