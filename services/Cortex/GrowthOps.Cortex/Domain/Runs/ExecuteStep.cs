using System.Security.Cryptography;
using System.Text;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// The walker's own message: execute node <see cref="NodeId"/> of run <see cref="RunId"/> as step <see cref="StepId"/>.
/// <see cref="Phase"/> is <c>enter</c> (execute the node) or <c>resume</c> (a delay elapsed, a wait ended by
/// <see cref="Handle"/> <c>met</c> or <c>timeout</c>). Each (run, step, attempt, phase) is executed once, however often the
/// message is delivered.
/// </summary>
public record ExecuteStep(Guid TenantId, Guid RunId, Guid StepId, string NodeId, int Attempt, string Phase, string? Handle, DateTimeOffset OccurredAt)
{
    public const string Enter = "enter";
    public const string Resume = "resume";

    /// <summary>The id of the step that follows <paramref name="stepId"/> along <paramref name="edgeId"/>: the same on every redelivery.</summary>
    public static Guid Next(Guid stepId, string edgeId, int attempt) => Derive($"{stepId:N}/{edgeId}/{attempt}");

    /// <summary>A number in [0, 1) drawn from <paramref name="key"/>: uniform over keys, the same for the same key.</summary>
    public static double Unit(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }

    /// <summary>A seed drawn from <paramref name="key"/> (for a seeded <see cref="Random"/>).</summary>
    public static int Seed(string key) => (int)(Unit(key + "/seed") * int.MaxValue);

    public static Guid Derive(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
