namespace Clutch.Packaging;

/// <summary>
/// Splits distribution filenames. Wheels and sdists agree with packaging's
/// <c>parse_wheel_filename</c>/<c>parse_sdist_filename</c>, except that sdists also accept
/// <c>.tar.bz2 .tar.xz .tgz</c> and versions that are not PEP 440 (kept as legacy versions), and
/// an empty project name is refused. Eggs follow setuptools (<c>name-ver[-pyX.Y[-platform]]</c>,
/// <c>-</c> escaped as <c>_</c>); legacy bdists follow the names distutils wrote
/// (<c>name-ver.plat[-pyX.Y].exe|.msi</c>, <c>name-ver-release.arch.rpm</c>,
/// <c>name-ver[-pyX.Y].macosx…dmg</c>).
/// </summary>
internal static class DistributionFilenameParser
{
    private static readonly string[] SdistExtensions = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz"];
    private static readonly string[] PlatformMarkers = [".win", ".linux", ".macosx", ".cygwin", ".freebsd", ".solaris", ".sunos"];

    /// <summary>Returns null and a result, or a one-line error.</summary>
    public static string? Parse(string filename, ProjectName? known, out DistributionFilename? result)
    {
        result = null;
        if (filename.AsSpan().IndexOfAny('/', '\\', '\0') >= 0)
        {
            return $"'{filename}': a filename must not contain a directory part";
        }

        if (filename.EndsWith(".whl", StringComparison.Ordinal))
        {
            return ParseWheel(filename, out result);
        }

        foreach (var ext in SdistExtensions)
        {
            if (filename.EndsWith(ext, StringComparison.Ordinal))
            {
                return ParseSdist(filename, filename[..^ext.Length], known, out result);
            }
        }

        if (filename.EndsWith(".egg", StringComparison.Ordinal))
        {
            return ParseEgg(filename, known, out result);
        }

        if (filename.EndsWith(".exe", StringComparison.Ordinal))
        {
            return ParseWindows(filename, DistributionType.BdistWininst, known, out result);
        }

        if (filename.EndsWith(".msi", StringComparison.Ordinal))
        {
            return ParseWindows(filename, DistributionType.BdistMsi, known, out result);
        }

        if (filename.EndsWith(".rpm", StringComparison.Ordinal))
        {
            return ParseRpm(filename, known, out result);
        }

        if (filename.EndsWith(".dmg", StringComparison.Ordinal))
        {
            return ParseDmg(filename, known, out result);
        }

        return $"'{filename}': unknown distribution extension (expected .whl, .tar.gz, .zip, .tar.bz2, .tar.xz, .tgz, .egg, .exe, .msi, .rpm or .dmg)";
    }

    private static string? ParseWheel(string filename, out DistributionFilename? result)
    {
        result = null;
        var stem = filename.AsSpan(0, filename.Length - 4);
        var dashes = stem.Count('-');
        if (dashes is not (4 or 5))
        {
            return $"'{filename}': a wheel name has 5 or 6 dash-separated parts (name-version[-build]-python-abi-platform), found {dashes + 1}";
        }

        Span<Range> parts = stackalloc Range[6];
        stem.Split(parts, '-');
        var name = stem[parts[0]];
        if (name.IsEmpty)
        {
            return $"'{filename}': the project name is empty";
        }

        if (name.Contains("__", StringComparison.Ordinal) || !IsWheelName(name))
        {
            return $"'{filename}': invalid project name '{name}' (letters, digits, '_' and '.' only, no '__')";
        }

        var versionText = stem[parts[1]].ToString();
        if (!PackageVersion.TryParseStrict(versionText, out var version))
        {
            return $"'{filename}': invalid version '{versionText}' (a wheel needs a PEP 440 version)";
        }

        string? build = null;
        var tagStart = 2;
        if (dashes == 5)
        {
            var b = stem[parts[2]];
            if (b.IsEmpty || !char.IsDigit(b[0]))
            {
                return $"'{filename}': invalid build tag '{b}' (it must start with a digit)";
            }

            build = b.ToString();
            tagStart = 3;
        }

        var rawName = name.ToString();
        result = new DistributionFilename
        {
            Filename = filename,
            RawName = rawName,
            Project = ProjectName.Normalize(rawName),
            Version = version!,
            Type = DistributionType.Wheel,
            BuildTag = build,
            PythonTag = stem[parts[tagStart]].ToString(),
            AbiTag = stem[parts[tagStart + 1]].ToString(),
            PlatformTag = stem[parts[tagStart + 2]].ToString(),
        };
        return null;
    }

    /// <summary>PEP 427's <c>^[\w\d._]*$</c> with Python's Unicode <c>\w</c>.</summary>
    private static bool IsWheelName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(char.IsLetterOrDigit(c) || char.IsNumber(c) || c is '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? ParseSdist(string filename, string stem, ProjectName? known, out DistributionFilename? result)
    {
        result = null;
        var error = SplitNameVersion(filename, stem, known, out var name, out var version);
        if (error is not null)
        {
            return error;
        }

        result = Make(filename, name, version, DistributionType.Sdist, "source", null);
        return null;
    }

    /// <summary>
    /// Splits <c>name-version</c>. With a known project: the prefix that normalizes to it. Otherwise
    /// on the last dash (packaging's rule, since a PEP 440 version has no dash); when that leaves
    /// no valid version, the leftmost split whose version starts with a digit, preferring one that
    /// is valid PEP 440 (so <c>foo-1.0.dev-r1234</c> is <c>foo</c> at a legacy version).
    /// </summary>
    internal static string? SplitNameVersion(string filename, string stem, ProjectName? known, out string name, out PackageVersion version)
    {
        name = "";
        version = null!;
        var last = stem.LastIndexOf('-');
        if (last < 0)
        {
            return $"'{filename}': no '-' between project name and version";
        }

        var split = -1;
        if (known is { } k)
        {
            for (var i = stem.IndexOf('-'); i >= 0; i = stem.IndexOf('-', i + 1))
            {
                if (k.Matches(stem[..i]))
                {
                    split = i;
                    break;
                }
            }
        }

        if (split < 0)
        {
            split = last;
            if (!PackageVersion.TryParseStrict(stem[(last + 1)..], out _))
            {
                var legacy = -1;
                for (var i = stem.IndexOf('-'); i >= 0; i = stem.IndexOf('-', i + 1))
                {
                    if (i == 0 || i + 1 >= stem.Length || !char.IsAsciiDigit(stem[i + 1]))
                    {
                        continue;
                    }

                    if (PackageVersion.TryParseStrict(stem[(i + 1)..], out _))
                    {
                        legacy = i;
                        break;
                    }

                    if (legacy < 0)
                    {
                        legacy = i;
                    }
                }

                if (legacy >= 0)
                {
                    split = legacy;
                }
            }
        }

        name = stem[..split];
        var versionText = stem[(split + 1)..];
        if (name.Length == 0)
        {
            return $"'{filename}': the project name is empty";
        }

        if (versionText.Length == 0)
        {
            return $"'{filename}': the version is empty";
        }

        version = PackageVersion.Parse(versionText);
        return null;
    }

    private static string? ParseEgg(string filename, ProjectName? known, out DistributionFilename? result)
    {
        result = null;
        var stem = filename[..^4];
        var parts = stem.Split('-');
        var nameParts = 1;
        if (known is { } k)
        {
            for (var n = 1; n < parts.Length; n++)
            {
                if (k.Matches(string.Join('-', parts, 0, n)))
                {
                    nameParts = n;
                    break;
                }
            }
        }

        if (parts.Length < nameParts + 1)
        {
            return $"'{filename}': an egg name is name-version[-pyX.Y[-platform]].egg, the version is missing";
        }

        var name = string.Join('-', parts, 0, nameParts);
        var versionText = parts[nameParts];
        if (name.Length == 0 || versionText.Length == 0)
        {
            return $"'{filename}': an egg name needs a project name and a version";
        }

        string? python = null;
        string? platform = null;
        if (parts.Length > nameParts + 1)
        {
            var py = parts[nameParts + 1];
            if (!py.StartsWith("py", StringComparison.Ordinal) || py.Length == 2)
            {
                return $"'{filename}': expected a python version like 'py2.7' after the version, found '{py}'";
            }

            python = py[2..];
            if (parts.Length > nameParts + 2)
            {
                platform = string.Join('-', parts, nameParts + 2, parts.Length - nameParts - 2);
            }
        }

        result = Make(filename, name, PackageVersion.Parse(versionText), DistributionType.Egg, python, platform);
        return null;
    }

    private static string? ParseWindows(string filename, DistributionType type, ProjectName? known, out DistributionFilename? result)
    {
        result = null;
        var stem = filename[..^4];
        var python = CutPythonSuffix(ref stem);
        string? platform = null;
        var cut = LastPlatformMarker(stem);
        if (cut > 0)
        {
            platform = stem[(cut + 1)..];
            stem = stem[..cut];
        }

        var error = SplitNameVersion(filename, stem, known, out var name, out var version);
        if (error is not null)
        {
            return error;
        }

        result = Make(filename, name, version, type, python, platform);
        return null;
    }

    private static string? ParseRpm(string filename, ProjectName? known, out DistributionFilename? result)
    {
        result = null;
        var stem = filename[..^4];
        var dot = stem.LastIndexOf('.');
        var dash = stem.LastIndexOf('-');
        if (dot < 0 || dash < 0 || dash > dot)
        {
            return $"'{filename}': an rpm name is name-version-release.arch.rpm";
        }

        var arch = stem[(dot + 1)..];
        var release = stem[(dash + 1)..dot];
        var error = SplitNameVersion(filename, stem[..dash], known, out var name, out var version);
        if (error is not null)
        {
            return error;
        }

        result = Make(filename, name, version, DistributionType.BdistRpm, null, arch) with { BuildTag = release };
        return null;
    }

    private static string? ParseDmg(string filename, ProjectName? known, out DistributionFilename? result)
    {
        result = null;
        var stem = filename[..^4];
        string? platform = null;
        var mac = stem.LastIndexOf("macosx", StringComparison.Ordinal);
        if (mac > 0 && stem[mac - 1] is '.' or '-')
        {
            platform = stem[mac..];
            stem = stem[..(mac - 1)];
        }

        var python = CutPythonSuffix(ref stem);
        var error = SplitNameVersion(filename, stem, known, out var name, out var version);
        if (error is not null)
        {
            return error;
        }

        result = Make(filename, name, version, DistributionType.BdistDmg, python, platform);
        return null;
    }

    /// <summary>Removes a trailing <c>-pyX.Y</c> and returns <c>X.Y</c>.</summary>
    private static string? CutPythonSuffix(ref string stem)
    {
        var i = stem.LastIndexOf("-py", StringComparison.Ordinal);
        if (i < 0 || i + 3 >= stem.Length)
        {
            return null;
        }

        var tail = stem.AsSpan(i + 3);
        foreach (var c in tail)
        {
            if (!char.IsAsciiDigit(c) && c != '.')
            {
                return null;
            }
        }

        var python = tail.ToString();
        stem = stem[..i];
        return python;
    }

    private static int LastPlatformMarker(string stem)
    {
        var best = -1;
        foreach (var marker in PlatformMarkers)
        {
            var i = stem.LastIndexOf(marker, StringComparison.Ordinal);
            if (i > best && stem.IndexOf('-') < i)
            {
                best = i;
            }
        }

        return best;
    }

    private static DistributionFilename Make(string filename, string name, PackageVersion version, DistributionType type, string? python, string? platform)
        => new()
        {
            Filename = filename,
            RawName = name,
            Project = ProjectName.Normalize(name),
            Version = version,
            Type = type,
            PythonTag = python,
            PlatformTag = platform,
        };
}
