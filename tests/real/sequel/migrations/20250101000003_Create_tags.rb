Sequel.migration do
  change do
    create_table(:tags) { Integer :id }
  end
end
