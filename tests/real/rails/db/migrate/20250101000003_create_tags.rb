class CreateTags < ActiveRecord::Migration[6.1]
  def change
    create_table :tags
  end
end
