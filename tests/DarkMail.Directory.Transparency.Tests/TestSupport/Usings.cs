// Test helpers every test file may use without a using of its own.
global using DarkMail.Directory.Transparency.Tests.TestSupport;
