// The ffmpeg tests point STREAMSEQ_FFMPEG, a process-wide setting, at fake programs: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
