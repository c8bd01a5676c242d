// spec/leaves.md "Validator state": the codes LeafChainValidator.ImportState reports.
namespace DarkMail.Directory.Core.Leaves;

public static class StateErrors
{
    public const string Magic = "chain-state.magic";
    public const string Length = "chain-state.length";
    public const string Flag = "chain-state.flag";
    public const string Counter = "chain-state.counter";
    public const string LabelOrder = "chain-state.label-order";
    public const string Version = "chain-state.version";
}
