using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Clutch.Hosting;

/// <summary>
/// The JSON type information of what the framework serializes through the HTTP JSON options:
/// RFC 9457 problem details (<c>TypedResults.Problem</c>). The shipped build has reflection-based
/// serialization off, so a type missing here answers an empty 500 instead of its body.
/// (The endpoints' own bodies name their type information where they write them.)
/// </summary>
public static class HttpJson
{
    public static IServiceCollection AddHttpJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, HttpJsonContext.Default));
}

// string: the values of ProblemDetails.Extensions (the framework adds "traceId") are objects,
// serialized by their runtime type.
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(string))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
