namespace GrowthOps.Bench;

/// <summary>
/// One benchmark. Prints one line per figure on standard output (<c>name: value unit</c>) and notes as <c># ...</c> lines;
/// progress and logs go to standard error. Returns the process exit code.
/// </summary>
public interface IBenchmark
{
    Task<int> RunAsync(string[] args, CancellationToken cancellationToken);
}
