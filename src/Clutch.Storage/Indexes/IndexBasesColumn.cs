using System.Text.Json;

namespace Clutch.Storage.Indexes;

/// <summary>
/// <see cref="IndexDefinition.Bases"/> (and <see cref="IndexDefinition.Uploaders"/>) as the text of the <c>indexes.bases</c> (<c>uploaders</c>) column: a JSON array
/// of names (<c>["","team"]</c>), so the default index "" and an empty list stay distinct.
/// Written and read without reflection (the app is trimmed).
/// </summary>
internal static class IndexBasesColumn
{
    public static string Write(IReadOnlyList<string> bases)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var name in bases)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static IReadOnlyList<string> Read(string text)
    {
        using var document = JsonDocument.Parse(text);
        var bases = new List<string>(document.RootElement.GetArrayLength());
        foreach (var element in document.RootElement.EnumerateArray())
        {
            bases.Add(element.GetString() ?? "");
        }

        return bases;
    }
}
