namespace GrowthOps.Modelling;

/// <summary>
/// The held-out share of a population: a quarter, always the same members (from the random bits of their UUIDv4/v7 ids), so
/// that retraining measures on examples no fit has seen. SQL can select the same share with
/// <c>get_byte(uuid_send(id), 15) % 4 = 0</c>.
/// </summary>
public static class HeldOut
{
    public static bool Contains(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return bytes[15] % 4 == 0;
    }
}
