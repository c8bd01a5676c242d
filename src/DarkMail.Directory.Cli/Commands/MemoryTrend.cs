// spec/cli.md §2.10.1 "Memory" (issue 9 "Soak": memory must stay flat): the rule by which
// dmd bench soak judges the server's resident memory, from the samples it took every second.
using System.Globalization;

namespace DarkMail.Directory.Cli.Commands;

/// <summary>One reading of the server's resident memory, <see cref="Seconds"/> into the soak.</summary>
internal readonly record struct MemorySample(double Seconds, long Bytes);

/// <summary>
/// spec/cli.md §2.10.1 "Memory": whether the server's RSS stayed flat. The first half of the
/// run is warm-up. After warm-up is the median of the samples in the window that opens the
/// second half, the end the median of the samples in the window that closes the run (each
/// window a twentieth of the run, at least 5 s: medians, so one GC's commit or decommit does
/// not decide); flat when the end is at most <see cref="MaxGrowth"/> above after warm-up.
/// Runs shorter than <see cref="MinJudgedSeconds"/> are reported, not judged: their second
/// half is still warm-up.
/// </summary>
internal sealed class MemoryTrend
{
    public const double MaxGrowth = 0.10;
    public const double MinJudgedSeconds = 120;
    public const int SeriesPoints = 10;

    private MemoryTrend(long warm, long end, double growth, bool judged, double every, IReadOnlyList<long> series, double seconds)
    {
        Warm = warm;
        End = end;
        Growth = growth;
        Judged = judged;
        Every = every;
        Series = series;
        Seconds = seconds;
    }

    public long Warm { get; }

    public long End { get; }

    /// <summary>(End - Warm) / Warm.</summary>
    public double Growth { get; }

    public bool Judged { get; }

    public bool Flat => Growth <= MaxGrowth;

    /// <summary>Seconds between two points of <see cref="Series"/>.</summary>
    public double Every { get; }

    /// <summary>The RSS at 0, 1/10, 2/10, … of the run and at its end (the sample nearest each).</summary>
    public IReadOnlyList<long> Series { get; }

    public double Seconds { get; }

    public string Verdict => !Judged
        ? string.Create(CultureInfo.InvariantCulture, $"memory: not judged (a run of {Seconds:F0} s; at least {MinJudgedSeconds:F0} s are needed to pass warm-up)")
        : string.Create(CultureInfo.InvariantCulture,
            $"memory: {(Flat ? "flat" : "NOT flat")} (second half {Growth * 100:+0.0;-0.0;0.0} % from after warm-up to end; flat is at most +{MaxGrowth * 100:F0} %)");

    public static MemoryTrend Of(IReadOnlyList<MemorySample> samples, double seconds)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("No memory sample was taken.", nameof(samples));
        }

        var window = Math.Max(5, seconds / 20);
        var half = seconds / 2;
        var warm = Median(samples, half, half + window);
        var end = Median(samples, seconds - window, double.PositiveInfinity);
        var every = seconds / SeriesPoints;
        var series = Enumerable.Range(0, SeriesPoints + 1)
            .Select(i => samples.MinBy(s => Math.Abs(s.Seconds - (i * every))).Bytes)
            .ToList();
        return new MemoryTrend(warm, end, (end - warm) / (double)warm, seconds >= MinJudgedSeconds, every, series, seconds);
    }

    // The median of the samples in [from, to); the sample nearest `from` when none is inside.
    private static long Median(IReadOnlyList<MemorySample> samples, double from, double to)
    {
        var inside = samples.Where(s => s.Seconds >= from && s.Seconds < to).Select(s => s.Bytes).Order().ToList();
        return inside.Count == 0 ? samples.MinBy(s => Math.Abs(s.Seconds - from)).Bytes : inside[inside.Count / 2];
    }
}
