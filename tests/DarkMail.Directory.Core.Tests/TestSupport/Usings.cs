// Test helpers every test file may use without a using of its own.
global using static DarkMail.Directory.Core.Tests.TestSupport.Ed25519Keys;
global using static DarkMail.Directory.Core.Tests.TestSupport.VectorFiles;
