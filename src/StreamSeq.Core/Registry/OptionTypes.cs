using StreamSeq.Json;

namespace StreamSeq.Registry;

/// <summary>How option types read in the catalog and in messages.</summary>
public static class OptionTypes
{
    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "string";
        }
        if (type == typeof(bool))
        {
            return "boolean";
        }
        if (type == typeof(int) || type == typeof(long))
        {
            return "integer";
        }
        if (type == typeof(double) || type == typeof(float))
        {
            return "number";
        }
        if (type == typeof(TimeSpan))
        {
            return "duration";
        }
        if (type == typeof(DateTime))
        {
            return "date-time";
        }
        if (type.IsEnum)
        {
            return string.Join(" | ", Enum.GetValues(type).Cast<object>().Select(OptionJson.EnumName));
        }
        if (type.IsArray)
        {
            return Describe(type.GetElementType()!) + "[]";
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IReadOnlyList<>)))
        {
            return Describe(type.GetGenericArguments()[0]) + "[]";
        }
        return "object";
    }
}
