using System.Globalization;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>Figures (<c>name: value unit</c>) and notes (<c># ...</c>) on standard output; progress on standard error.</summary>
public static class BenchOutput
{
    static readonly object Gate = new();

    public static void Figure(string name, double value, string unit, int decimals = 0) =>
        Figure(name, value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), unit);

    public static void Figure(string name, string value, string unit)
    {
        lock (Gate)
        {
            Console.Out.WriteLine($"{name}: {value} {unit}");
            Console.Out.Flush();
        }
    }

    public static void Note(string text)
    {
        lock (Gate)
        {
            Console.Out.WriteLine($"# {text}");
            Console.Out.Flush();
        }
    }

    public static void Progress(string text)
    {
        lock (Gate)
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {text}");
    }

    public static string F(double value, int decimals = 0) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
