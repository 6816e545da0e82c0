// Tests check the process-wide count of live frames (native Mats) after runs: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
