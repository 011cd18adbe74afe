using System.Text.Json.Serialization;

namespace Clutch.Manage;

/// <summary>The optional body of a yank or delete request.</summary>
public sealed record ManageRequest(string? Reason);

/// <summary>What a management request changed: the files it applied to and the reason recorded.</summary>
public sealed record ManageResponse(string Project, string Action, IReadOnlyList<string> Files, string? Reason);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ManageRequest))]
[JsonSerializable(typeof(ManageResponse))]
internal sealed partial class ManageJsonContext : JsonSerializerContext;
