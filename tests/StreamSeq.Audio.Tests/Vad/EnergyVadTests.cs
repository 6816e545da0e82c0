using StreamSeq.Audio.Tests.Support;
using StreamSeq.Audio.Vad;
using StreamSeq.Audio.Wav;

namespace StreamSeq.Audio.Tests.Vad;

public sealed class EnergyVadTests
{
    private const int Rate = 16000;
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Speech-like: harmonics of a gliding pitch under a syllable-rate envelope.</summary>
    private static float[] Speech(double seconds, int seed)
    {
        var random = new Random(seed);
        var n = (int)(seconds * Rate);
        var result = new float[n];
        double phase = 0;
        for (var i = 0; i < n; i++)
        {
            var t = (double)i / Rate;
            var f0 = 120 + (30 * Math.Sin(2 * Math.PI * 1.5 * t));
            phase += 2 * Math.PI * f0 / Rate;
            var envelope = 0.6 + (0.4 * Math.Sin(2 * Math.PI * 4 * t));
            var v = 0.0;
            for (var h = 1; h <= 8; h++)
            {
                v += Math.Sin(h * phase) / h;
            }
            result[i] = (float)(0.15 * envelope * v) + (float)(0.002 * ((random.NextDouble() * 2) - 1));
        }
        return result;
    }

    private static float[] Silence(double seconds, int seed) => Signals.Noise((int)(seconds * Rate), 0.002, seed);

    private static List<UtteranceEvent> Run(EnergyVad vad, float[] signal, int chunk = 1600)
    {
        var events = new List<UtteranceEvent>();
        for (var at = 0; at < signal.Length; at += chunk)
        {
            var n = Math.Min(chunk, signal.Length - at);
            events.AddRange(vad.Accept(signal.AsSpan(at, n), at, T0.AddSeconds((double)at / Rate)));
        }
        events.AddRange(vad.Complete());
        return events;
    }

    [Fact]
    public void Two_bursts_of_speech_between_silences_make_two_utterances_at_the_right_times()
    {
        float[] signal = [.. Silence(1, 1), .. Speech(1.2, 2), .. Silence(1, 3), .. Speech(0.8, 4), .. Silence(1, 5)];
        var events = Run(new EnergyVad(new VadOptions(), Rate), signal);

        var ends = events.Where(e => e.Kind == UtteranceEventKind.End).ToList();
        Assert.Equal(2, ends.Count);
        Assert.Equal(2, events.Count(e => e.Kind == UtteranceEventKind.Start));
        Assert.Equal([0L, 1L], ends.Select(e => e.UtteranceId));
        // Onsets at 1.0 s and 3.2 s; the start includes the pre-roll (200 ms) and may lag by the confirming
        // frames; the end follows the last speech by the hangover (400 ms).
        Assert.InRange((ends[0].StartTime - T0).TotalSeconds, 0.75, 1.0);
        Assert.InRange((ends[0].EndTime - T0).TotalSeconds, 2.2, 2.7);
        Assert.InRange((ends[1].StartTime - T0).TotalSeconds, 2.95, 3.2);
        Assert.InRange((ends[1].EndTime - T0).TotalSeconds, 4.0, 4.5);
        // Sample positions and times agree.
        Assert.Equal((ends[1].StartTime - T0).TotalSeconds, (double)ends[1].StartSample / Rate, 1e-6);
    }

    [Fact]
    public void Partials_arrive_while_speech_goes_on_and_new_audio_adds_up_to_the_utterance()
    {
        float[] signal = [.. Silence(0.5, 1), .. Speech(2.5, 2), .. Silence(1, 3)];
        var events = Run(new EnergyVad(new VadOptions { PartialInterval = TimeSpan.FromMilliseconds(500) }, Rate), signal);

        Assert.Equal(UtteranceEventKind.Start, events[0].Kind);
        Assert.Equal(UtteranceEventKind.End, events[^1].Kind);
        var partials = events.Count(e => e.Kind == UtteranceEventKind.Partial);
        Assert.InRange(partials, 4, 6);
        // Each event's audio extends the previous one's; the new parts concatenate to the whole.
        var joined = events.SelectMany(e => e.NewAudio.ToArray()).ToArray();
        Assert.Equal(events[^1].Audio.ToArray(), joined);
        for (var i = 1; i < events.Count; i++)
        {
            Assert.Equal(events[i - 1].Audio.ToArray(), events[i].Audio[..events[i - 1].Audio.Length].ToArray());
        }
        // And it is the stream's audio from the utterance's start.
        Assert.Equal(signal.AsSpan((int)events[^1].StartSample, events[^1].Audio.Length).ToArray(), events[^1].Audio.ToArray());
    }

    [Fact]
    public void Silence_and_a_click_make_no_utterance()
    {
        var signal = Silence(2, 1);
        for (var i = 16000; i < 16000 + 160; i++)
        {
            signal[i] = 0.5f; // 10 ms click, shorter than minSpeech
        }
        Assert.Empty(Run(new EnergyVad(new VadOptions(), Rate), signal));
    }

    [Fact]
    public void A_long_utterance_is_cut_at_the_maximum_and_goes_on_as_a_new_one()
    {
        float[] signal = [.. Silence(0.5, 1), .. Speech(5, 2), .. Silence(1, 3)];
        var events = Run(new EnergyVad(new VadOptions { MaxUtterance = TimeSpan.FromSeconds(2), PartialInterval = TimeSpan.Zero }, Rate), signal);
        var ends = events.Where(e => e.Kind == UtteranceEventKind.End).ToList();
        Assert.Equal(3, ends.Count);
        Assert.All(ends, e => Assert.True(e.Duration <= TimeSpan.FromSeconds(2.05), e.ToString()));
        // The pieces follow one another without overlap.
        Assert.True(ends[1].StartSample >= ends[0].EndSample);
        Assert.True(ends[2].StartSample >= ends[1].EndSample);
    }

    [Fact]
    public void A_gap_in_the_stream_ends_the_utterance()
    {
        var vad = new EnergyVad(new VadOptions(), Rate);
        var events = new List<UtteranceEvent>();
        float[] first = [.. Silence(0.5, 1), .. Speech(0.5, 2)];
        events.AddRange(vad.Accept(first, 0, T0));
        Assert.True(vad.InUtterance);
        events.AddRange(vad.Accept(Silence(0.1, 3), first.Length + 16000, T0.AddSeconds(5)));
        Assert.Equal(UtteranceEventKind.End, events[^1].Kind);
        Assert.False(vad.InUtterance);
    }

    [Fact]
    public void The_committed_sample_digit_string_is_one_utterance()
    {
        var audio = WavReader.ReadFile(Path.Combine(Repo.Root, "samples", "digits-4271.wav")).ToMono();
        float[] signal = [.. Silence(0.5, 1), .. audio.Samples, .. Silence(1, 2)];
        var events = Run(new EnergyVad(new VadOptions(), audio.SampleRate), signal);
        var ends = events.Where(e => e.Kind == UtteranceEventKind.End).ToList();
        Assert.Single(ends);
        Assert.InRange(ends[0].Duration.TotalSeconds, audio.Duration.TotalSeconds * 0.7, audio.Duration.TotalSeconds + 1.0);
    }
}
