using System.Globalization;

namespace Workbook.Cli.Commands;

/// <summary>A small command-line reader: positional words and --name value / --flag options.</summary>
public sealed class Args
{
    readonly Dictionary<string, string?> options = new(StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> used = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Words that are not options, in order.</summary>
    public List<string> Positional { get; } = new();

    /// <summary>Parses arguments; <paramref name="flags"/> are options that take no value.</summary>
    public Args(IEnumerable<string> args, params string[] flags)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--")) { Positional.Add(a); continue; }
            var name = a[2..];
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
            else if (!flags.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                if (i + 1 >= list.Count) throw new UsageException($"option --{name} needs a value");
                value = list[++i];
            }
            options[name] = value;
        }
    }

    /// <summary>True when a flag was given.</summary>
    public bool Flag(string name) { used.Add(name); return options.ContainsKey(name); }

    /// <summary>A string option.</summary>
    public string? Get(string name) { used.Add(name); return options.TryGetValue(name, out var v) ? v : null; }

    /// <summary>An integer option.</summary>
    public int? Int(string name) => Get(name) is { } v
        ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : throw new UsageException($"--{name} takes a whole number, not '{v}'")
        : null;

    /// <summary>A number option.</summary>
    public double? Double(string name) => Get(name) is { } v
        ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : throw new UsageException($"--{name} takes a finite number, not '{v}'")
        : null;

    /// <summary>
    /// Fails (a usage error) unless <paramref name="value"/> of option --<paramref name="name"/>, when
    /// given, passes <paramref name="valid"/>; <paramref name="rule"/> says what a good value is.
    /// </summary>
    public static void Require(string name, double? value, Func<double, bool> valid, string rule)
    {
        if (value is { } v && !valid(v))
            throw new UsageException($"--{name} {v.ToString(CultureInfo.InvariantCulture)} is out of range: use {rule}");
    }

    /// <summary>An enum option (case-insensitive).</summary>
    public T? Enum<T>(string name) where T : struct, System.Enum => Get(name) is { } v
        ? System.Enum.TryParse<T>(v.Replace("-", ""), true, out var e) ? e : throw new UsageException($"--{name} takes one of {string.Join(", ", System.Enum.GetNames<T>()).ToLowerInvariant()}, not '{v}'")
        : null;

    /// <summary>Fails on options nobody asked for (a typo should not be silently ignored).</summary>
    public void RejectUnknown()
    {
        var unknown = options.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"unknown option{(unknown.Count > 1 ? "s" : "")}: {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}

/// <summary>A mistake in the command line: printed with the usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
