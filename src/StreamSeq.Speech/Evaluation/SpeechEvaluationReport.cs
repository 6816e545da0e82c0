namespace StreamSeq.Speech.Evaluation;

/// <summary>Error rates of one method over a set of utterances.</summary>
/// <param name="Method">Decoder name ("ctc-grammar", "joint-beam", …) or "pocketsphinx".</param>
/// <param name="Utterances">Utterances scored.</param>
/// <param name="Wer">Word error rate: word edits over reference words.</param>
/// <param name="Cer">Character error rate (spaces between words included).</param>
/// <param name="SentenceError">Share of utterances not recognised exactly.</param>
/// <param name="Seconds">Wall time spent (features included for the model's decoders; conversion, start-up and decoding for PocketSphinx).</param>
/// <param name="RealTimeFactor">Seconds over audio seconds.</param>
/// <param name="Search">PocketSphinx's search: "jsgf-digits", "jsgf-grammar" or "lm-en-us"; null for the model's decoders.</param>
public sealed record SpeechMethodScore(string Method, int Utterances, double Wer, double Cer, double SentenceError, double Seconds, double RealTimeFactor, string? Search = null);

/// <summary>The scores of one subset (the manifest's third column) or of the whole manifest.</summary>
/// <param name="Subset">The subset's name; "all" for the whole manifest.</param>
/// <param name="Utterances">Utterances in it.</param>
/// <param name="AudioSeconds">Their audio duration.</param>
/// <param name="Kind">"digits" (every transcript is a digit string), "grammar" (every transcript is in the model's grammar) or "open" (anything else).</param>
/// <param name="Methods">One score per method, in the order run.</param>
public sealed record SpeechSubsetScores(string Subset, int Utterances, double AudioSeconds, string Kind, IReadOnlyList<SpeechMethodScore> Methods);

/// <summary>What <see cref="SpeechEvaluation.RunAsync"/> measured.</summary>
/// <param name="Model">The model folder.</param>
/// <param name="Manifest">The manifest scored.</param>
/// <param name="Overall">Every utterance together.</param>
/// <param name="Subsets">Each subset apart (empty when the manifest names none).</param>
/// <param name="Notes">What was skipped and why (PocketSphinx missing, a decoder the model cannot run).</param>
public sealed record SpeechEvaluationReport(string Model, string Manifest, SpeechSubsetScores Overall, IReadOnlyList<SpeechSubsetScores> Subsets, IReadOnlyList<string> Notes);
