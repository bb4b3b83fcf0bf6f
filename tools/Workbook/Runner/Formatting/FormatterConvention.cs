using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace Workbook.Cli.Runner.Formatting;

/// <summary>
/// .NET Interactive's convention-based formatters, found by name and reflection as Polyglot does:
/// a type (or a base type or interface of it) carries an attribute named
/// <c>TypeFormatterSourceAttribute</c> whose first argument is a type; that type's
/// <c>CreateTypeFormatters()</c> returns objects with <c>string MimeType</c> and
/// <c>bool Format(object, TextWriter)</c>. Any library that follows it renders in the runner
/// exactly as in Polyglot, without the runner knowing the library.
/// </summary>
public static class FormatterConvention
{
    const string AttributeName = "TypeFormatterSourceAttribute";

    sealed record ConventionFormatter(string MimeType, Type? ForType, Func<object, TextWriter, bool> Format);
    sealed record Source(IReadOnlyList<ConventionFormatter> Formatters, List<string> Preferred);

    static readonly ConcurrentDictionary<Type, Source?> cache = new();

    /// <summary>Whether values of this type have convention formatters.</summary>
    public static bool Applies(Type type) => Find(type) != null;

    /// <summary>
    /// Adds every MIME type the value's convention formatters write (preferred types first) to
    /// <paramref name="bundle"/>. Returns false when the type has none.
    /// </summary>
    public static bool TryFormat(object value, MimeBundle bundle)
    {
        var source = Find(value.GetType());
        if (source == null) return false;
        bool any = false;
        int Rank(string mime) => source.Preferred.IndexOf(mime) is var i and >= 0 ? i : int.MaxValue;
        foreach (var f in source.Formatters.OrderBy(f => Rank(f.MimeType)))
        {
            if (bundle.Has(f.MimeType)) continue;
            if (f.ForType != null && !f.ForType.IsInstanceOfType(value)) continue;
            using var writer = new StringWriter();
            if (!f.Format(value, writer)) continue;
            bundle.Set(f.MimeType, writer.ToString());
            any = true;
        }
        return any;
    }

    static Source? Find(Type type) => cache.GetOrAdd(type, t =>
    {
        foreach (var candidate in SelfAndAncestors(t))
        {
            var attribute = candidate.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == AttributeName);
            if (attribute == null) continue;
            var sourceType = attribute.ConstructorArguments.Select(a => a.Value).OfType<Type>().FirstOrDefault()
                             ?? attribute.NamedArguments.Select(a => a.TypedValue.Value).OfType<Type>().FirstOrDefault();
            if (sourceType == null) continue;
            var preferred = attribute.NamedArguments
                .Where(a => a.MemberName == "PreferredMimeTypes" && a.TypedValue.Value is IEnumerable)
                .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.TypedValue.Value!).Select(v => v.Value as string))
                .OfType<string>().ToList();
            return new Source(CreateFormatters(sourceType), preferred);
        }
        return null;
    });

    /// <summary>The type, its base types, then its interfaces: where .NET Interactive looks for the attribute.</summary>
    static IEnumerable<Type> SelfAndAncestors(Type type)
    {
        for (var t = type; t != null; t = t.BaseType) yield return t;
        foreach (var i in type.GetInterfaces()) yield return i;
    }

    static IReadOnlyList<ConventionFormatter> CreateFormatters(Type sourceType)
    {
        var source = Activator.CreateInstance(sourceType, nonPublic: true)
                     ?? throw new InvalidOperationException($"cannot create {sourceType.FullName}");
        var create = sourceType.GetMethod("CreateTypeFormatters", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes)
                     ?? throw new InvalidOperationException($"{sourceType.FullName} has no CreateTypeFormatters()");
        var list = new List<ConventionFormatter>();
        foreach (var formatter in (create.Invoke(source, null) as IEnumerable) ?? Array.Empty<object>())
        {
            if (formatter == null) continue;
            var ft = formatter.GetType();
            var mime = ft.GetProperty("MimeType")?.GetValue(formatter) as string;
            var format = ft.GetMethod("Format", [typeof(object), typeof(TextWriter)]);
            if (mime == null || format == null || format.ReturnType != typeof(bool)) continue;
            var forType = ft.GetProperty("Type")?.GetValue(formatter) as Type;
            list.Add(new ConventionFormatter(mime, forType, (value, writer) =>
            {
                try { return (bool)format.Invoke(formatter, [value, writer])!; }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    // The formatter's own exception is the one worth reading.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
            }));
        }
        return list;
    }
}
