using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbook.Cli.Bench;

/// <summary>
/// The PyTorch side of the benchmark: bench/pytorch_reference.py running as one long-lived child
/// process, so that Python's start-up and <c>import torch</c> are never timed. One JSON command per
/// line goes to its stdin, one JSON answer per line comes back on its stdout.
/// </summary>
public sealed class PyTorchReference : IDisposable
{
    readonly Process process;
    readonly StringBuilder stderr = new();

    /// <summary>The torch version the child reported.</summary>
    public string TorchVersion { get; }

    PyTorchReference(Process process, string torchVersion)
    {
        this.process = process;
        TorchVersion = torchVersion;
    }

    /// <summary>
    /// Starts the reference with <paramref name="python"/>; on failure returns null and says why in
    /// <paramref name="whyNot"/> (interpreter missing, torch or numpy not importable, script missing).
    /// </summary>
    public static PyTorchReference? TryStart(string python, string script, out string? whyNot)
    {
        whyNot = null;
        if (!File.Exists(python)) { whyNot = $"{python} does not exist (the PyTorch side needs Debian's python3 with python3-torch and python3-numpy)"; return null; }
        if (!File.Exists(script)) { whyNot = $"the reference script {script} does not exist"; return null; }
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(script);
        // The thread count is set through torch.set_num_threads by the init command; make sure no
        // inherited variable says otherwise to OpenMP or OpenBLAS.
        foreach (var v in new[] { "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" }) info.Environment.Remove(v);
        Process process;
        try { process = Process.Start(info)!; }
        catch (Exception e) { whyNot = $"{python} could not be started: {e.Message}"; return null; }
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        // The first line says whether torch imported (it can take a while on a loaded machine).
        var first = process.StandardOutput.ReadLineAsync();
        if (!first.Wait(TimeSpan.FromMinutes(3)) || first.Result is null)
        {
            whyNot = $"{python} {script} did not start: {Tail(stderr)}";
            Kill(process);
            return null;
        }
        JsonNode? hello;
        try { hello = JsonNode.Parse(first.Result); }
        catch (JsonException) { hello = null; }
        if (hello?["ok"]?.GetValue<bool>() != true)
        {
            whyNot = hello?["error"]?.GetValue<string>() is { } error
                ? $"{python}: {error} (install python3-torch and python3-numpy; /usr/bin/python3 is Debian's Python, which sees them)"
                : $"{python} {script} answered '{first.Result}': {Tail(stderr)}";
            Kill(process);
            return null;
        }
        var reference = new PyTorchReference(process, hello["torch"]?.GetValue<string>() ?? "?");
        lock (stderr) reference.stderr.Append(stderr);
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (reference.stderr) reference.stderr.AppendLine(e.Data); };
        return reference;
    }

    /// <summary>Sends a command and returns the answer; a failed command throws with the child's message.</summary>
    public JsonObject Send(object command)
    {
        var line = JsonSerializer.Serialize(command);
        try
        {
            process.StandardInput.WriteLine(line);
            process.StandardInput.Flush();
        }
        catch (IOException e) { throw new InvalidOperationException($"the PyTorch reference has exited: {Tail(stderr)}", e); }
        var answer = process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"the PyTorch reference exited during {line}: {Tail(stderr)}");
        var node = JsonNode.Parse(answer) as JsonObject
            ?? throw new InvalidOperationException($"the PyTorch reference answered '{answer}' to {line}");
        if (node["ok"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"the PyTorch reference failed on {line}: {node["error"]}\n{node["trace"]}");
        return node;
    }

    static string Tail(StringBuilder text)
    {
        string s;
        lock (text) s = text.ToString().Trim();
        return s.Length == 0 ? "(nothing on stderr)" : s.Length > 2000 ? "..." + s[^2000..] : s;
    }

    static void Kill(Process p)
    {
        try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { }
        p.Dispose();
    }

    /// <summary>Asks the child to quit, and ends it if it does not.</summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("{\"cmd\": \"quit\"}");
                process.StandardInput.Close();
                if (!process.WaitForExit(10_000)) process.Kill();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { }
        process.Dispose();
    }
}
