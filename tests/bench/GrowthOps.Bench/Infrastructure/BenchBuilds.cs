namespace GrowthOps.Bench.Infrastructure;

/// <summary>Where the Release builds of the services are, for benchmarks that run them as their own processes.</summary>
public static class BenchBuilds
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GrowthOps.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Run from inside the repository (GrowthOps.sln not found above the benchmark).");
    }

    /// <summary>The Release build of a project (the benchmark's project references build it first).</summary>
    public static string Built(string root, string project, string dll)
    {
        var path = Path.Combine(root, project, "bin", "Release", "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: build with -c Release first.");
    }
}
