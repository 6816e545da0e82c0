// Tests count live frames and tensors process-wide after runs, and training wants the cores: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
