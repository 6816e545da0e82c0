using StreamSeq.Json;

namespace StreamSeq.Core.Tests.Json;

public class LocatedJsonParserTests
{
    [Fact]
    public void Positions_are_one_based_lines_and_character_columns()
    {
        var root = (LocatedObject)LocatedJsonParser.Parse("{\n  \"é\": [1,\n    {\"k\": true}]\n}"u8, "f.json");
        var property = root.Properties[0];
        Assert.Equal(new SourceLocation("f.json", 2, 3), property.NameLocation);
        var array = (LocatedArray)property.Value;
        Assert.Equal(new SourceLocation("f.json", 2, 8), array.Location);
        var inner = (LocatedObject)array.Items[1];
        Assert.Equal((3, 5), (inner.Location.Line, inner.Location.Column));
        Assert.Equal((3, 11), (inner.Properties[0].Value.Location.Line, inner.Properties[0].Value.Location.Column));
    }

    [Fact]
    public void Values_round_trip_to_json_elements()
    {
        var root = (LocatedObject)LocatedJsonParser.Parse("{\"a\": {\"b\": [1, \"x\", null]}}"u8, "f.json");
        Assert.Equal("{\"b\":[1,\"x\",null]}", root.Properties[0].Value.ToElement().GetRawText());
    }

    [Theory]
    [InlineData("", 1, 1)]
    [InlineData("{\"a\": 1,\n \"b\": }", 2, 7)]
    [InlineData("{\"a\": 1} {", 1, 10)]
    public void Malformed_input_reports_a_location(string text, int line, int column)
    {
        var error = Assert.Throws<LocatedJsonException>(() => LocatedJsonParser.Parse(System.Text.Encoding.UTF8.GetBytes(text), "f.json"));
        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("2s", 2000)]
    [InlineData("1.5m", 90000)]
    [InlineData("00:00:03", 3000)]
    public void Durations_read_as_people_write_them(string text, double milliseconds)
    {
        Assert.True(DurationConverter.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
        Assert.False(DurationConverter.TryParse("soon", out _));
    }
}
