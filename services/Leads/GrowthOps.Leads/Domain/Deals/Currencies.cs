using System.Collections.Frozen;

namespace GrowthOps.Leads.Domain.Deals;

/// <summary>
/// ISO 4217 active currency codes and their minor units (digits after the decimal point: 2 for EUR, 0 for JPY, 3 for KWD).
/// Amounts are stored as integers of the minor unit, so that sums and weighted pipelines never round.
/// </summary>
public static class Currencies
{
    static readonly FrozenDictionary<string, int> MinorUnits = Build();

    /// <summary>The minor-unit digits of <paramref name="code"/> (upper case ISO 4217), or null when it is no active currency.</summary>
    public static int? MinorUnitsOf(string? code) =>
        code is not null && MinorUnits.TryGetValue(code, out var digits) ? digits : null;

    /// <summary>
    /// <paramref name="amount"/> in minor units of a currency with <paramref name="digits"/> minor digits, or null when the amount
    /// has more decimals than the currency has (12.345 EUR) or does not fit.
    /// </summary>
    public static long? ToMinor(decimal amount, int digits)
    {
        var scaled = amount * Pow10(digits);
        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
            return null;
        return (long)scaled;
    }

    public static decimal FromMinor(long minor, int digits) => minor / (decimal)Pow10(digits);

    static long Pow10(int digits) => digits switch { 0 => 1, 1 => 10, 2 => 100, 3 => 1_000, _ => 10_000 };

    static FrozenDictionary<string, int> Build()
    {
        var zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
        var three = "BHD IQD JOD KWD LYD OMR TND";
        var four = "CLF UYW";
        var two = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW " +
                  "CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS " +
                  "INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN " +
                  "NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC " +
                  "SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (codes, digits) in new[] { (zero, 0), (two, 2), (three, 3), (four, 4) })
            foreach (var code in codes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                map[code] = digits;
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
